using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Payments.Core.BackOffice;
using Payments.Core.Finishing;
using Payments.Core.Idempotency;
using Payments.Core.Notifications;
using Payments.Core.Protocol;
using Payments.Core.Security;
using Payments.Core.Storage;
using Payments.Core.Transactions;

namespace Payments.Core.Hosting;

public static class ServiceCollectionExtensions
{
    /// <summary>The one service registration both hosts (Functions and the local host) call.
    /// Settings are read here, at start-up, so a bad configuration fails before the first request.</summary>
    public static IServiceCollection AddPayments(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(PaymentsOptions.FromConfiguration(configuration));
        services.AddSingleton(MessageEnvelopeFactory.Create(configuration));
        services.AddHostedService<KeyExpiryWarning>();

        var storage = StorageConnection.FromConfiguration(configuration, ConnectionSetting.Resolve(configuration, SettingNames.Storage));
        services.TryAddSingleton(new StorageClientOptions());
        services.TryAddSingleton<StorageRoundTrips>();
        services.AddSingleton(sp => StorageClients.CreateTableServiceClient(storage, sp.GetRequiredService<StorageClientOptions>(), sp.GetRequiredService<StorageRoundTrips>()));
        services.AddSingleton(sp => StorageClients.CreateQueueServiceClient(storage, sp.GetRequiredService<StorageClientOptions>(), sp.GetRequiredService<StorageRoundTrips>(),
            logger: sp.GetService<Microsoft.Extensions.Logging.ILoggerFactory>()?.CreateLogger(typeof(StorageClients).FullName!)));
        services.TryAddSingleton<IQueueSignal, NoQueueSignal>();
        services.AddSingleton<TransactionStore>();
        services.AddSingleton<OutboxIndex>();
        services.AddSingleton<IdempotencyLedger>();
        services.AddSingleton<IdempotencyRetention>();

        services.AddSingleton<ReferenceNumberIssuer>();
        services.AddSingleton<IProtocolHandler>(new EchoHandler(ProtocolMethods.EchoRorpcV1));
        services.AddSingleton<IProtocolHandler>(new EchoHandler(ProtocolMethods.EchoRorpcV2));
        services.AddSingleton<IProtocolHandler>(new EchoHandler(ProtocolMethods.EchoRedirectV1));
        services.AddSingleton<IProtocolHandler>(new EchoHandler(ProtocolMethods.EchoEWalletsV1));
        services.AddSingleton<IProtocolHandler, GenerateReferenceNumberV1Handler>();
        services.AddSingleton<IProtocolHandler, GenerateReferenceNumberV2Handler>();
        services.AddSingleton<IProtocolHandler, CancelReferenceNumberV2Handler>();
        services.AddSingleton<IProtocolHandler, AsynchronousRefundV1Handler>();
        services.AddSingleton<IProtocolHandler, ReserveFundsV1Handler>();
        services.AddSingleton<IProtocolHandler, CancelFundsReservationV1Handler>();
        services.AddSingleton<IProtocolHandler, CreateMandateV1Handler>();
        services.AddSingleton<IProtocolHandler, CancelMandateV1Handler>();
        services.AddSingleton<ProtocolProcessor>();
        services.AddSingleton<ProtocolEndpoint>();

        services.AddSingleton<StorePayments>();
        services.AddSingleton<OperationRecords>();
        services.AddSingleton<InternalEndpoint>();
        services.AddSingleton(sp => new InternalAccess(configuration[SettingNames.InternalApiKey], sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<InternalAccess>>()));

        // Asynchronous finishing (queue functions, outbox relay).
        services.AddSingleton(FinishingOptions.FromConfiguration(configuration));
        services.AddBackOffice(configuration);
        services.AddGoogleNotifications(configuration);
        services.AddSingleton<OperationSteps>();
        services.AddSingleton<DependencyBreakers>();
        services.AddSingleton<FinishingBacklog>();
        services.AddSingleton<IWorkBacklog>(sp => sp.GetRequiredService<FinishingBacklog>());
        services.AddSingleton<RefundWorker>();
        services.AddSingleton<ReservationCancellationWorker>();
        services.AddSingleton<NotificationWorker>();
        services.AddSingleton<OutboxRelay>();
        services.AddSingleton<OperationRequeue>();
        return services;
    }
}
