using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Payments.Core.Configuration;
using Payments.Core.BackOffice;
using Payments.Core.Finishing;
using Payments.Core.Idempotency;
using Payments.Core.Journal;
using Payments.Core.Notifications;
using Payments.Core.Protocol;
using Payments.Core.Security;
using Payments.Core.Settlement;
using Payments.Core.Storage;
using Payments.Core.Transactions;

namespace Payments.Core.Hosting;

public static class ServiceCollectionExtensions
{
    /// <summary>The one service registration both hosts (Functions and the local host) call. Every
    /// settings section is bound to its options class here and validated at start, so a bad configuration
    /// fails before the first request.</summary>
    public static IServiceCollection AddPayments(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSettings<PaymentsOptions>(PaymentsOptions.Section);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<PaymentsOptions>>().Value);
        services.AddSettings<SecurityOptions>(SecurityOptions.Section);
        services.AddSingleton<IValidateOptions<SecurityOptions>, SecurityOptionsValidator>();
        services.AddSingleton(sp => MessageEnvelopeFactory.Create(sp.GetRequiredService<IOptions<SecurityOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<KeyExpiryWarning>(); // builds the envelope at start: a key that cannot be used stops the start
        services.AddSettings<InternalOptions>(InternalOptions.Section);

        services.AddStorageConnectionOptions();
        services.AddSettings<StorageClientOptions>(StorageClientOptions.Section);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<StorageClientOptions>>().Value);
        services.AddSingleton(sp => StorageConnection.From(sp.GetRequiredService<IOptions<StorageConnectionOptions>>().Value));
        services.TryAddSingleton<StorageRoundTrips>();
        services.AddSingleton(sp => StorageClients.CreateTableServiceClient(sp.GetRequiredService<StorageConnection>(), sp.GetRequiredService<StorageClientOptions>(), sp.GetRequiredService<StorageRoundTrips>()));
        services.AddSingleton(sp => StorageClients.CreateQueueServiceClient(sp.GetRequiredService<StorageConnection>(), sp.GetRequiredService<StorageClientOptions>(), sp.GetRequiredService<StorageRoundTrips>(),
            logger: sp.GetService<Microsoft.Extensions.Logging.ILoggerFactory>()?.CreateLogger(typeof(StorageClients).FullName!)));
        services.TryAddSingleton<IQueueSignal, NoQueueSignal>();
        services.AddSettings<StorageNamesOptions>(StorageNamesOptions.Section);
        services.AddSingleton<IValidateOptions<StorageNamesOptions>, StorageNamesOptionsValidator>();
        services.AddSingleton(sp => new TransactionStore(sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<QueueServiceClient>(),
            sp.GetRequiredService<IQueueSignal>(), sp.GetRequiredService<IOptions<StorageNamesOptions>>().Value));
        services.AddSingleton<OutboxIndex>();
        services.AddSingleton<MoneyJournal>();
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
        services.AddSingleton<SynchronousMoney>();
        services.AddSingleton<IProtocolHandler, CaptureFundsReservationV1Handler>();
        services.AddSingleton<IProtocolHandler>(sp => ActivatorUtilities.CreateInstance<RefundV1Handler>(sp, ProtocolMethods.RefundRedirectV1));
        services.AddSingleton<IProtocolHandler, CaptureV1Handler>();
        services.AddSingleton<IProtocolHandler>(sp => ActivatorUtilities.CreateInstance<RefundV1Handler>(sp, ProtocolMethods.RefundEWalletsV1));
        services.AddSingleton<IProtocolHandler, CancelReferenceNumberV1Handler>();
        services.AddSingleton<IProtocolHandler, AsynchronousRefundV2Handler>();
        foreach (var method in new[] { ProtocolMethods.RemittanceStatementNotificationRorpcV1, ProtocolMethods.RemittanceStatementNotificationRedirectV1, ProtocolMethods.RemittanceStatementNotificationEWalletsV1 })
            services.AddSingleton<IProtocolHandler>(sp => new RemittanceStatementNotificationV1Handler(method, sp.GetRequiredService<IdempotencyLedger>()));
        services.AddSingleton<IProtocolHandler, RemittanceStatementNotificationV2Handler>();
        services.AddSingleton<ProtocolProcessor>();
        services.AddSingleton<ProtocolEndpoint>();

        services.AddSingleton<StorePayments>();
        services.AddSingleton<OperationRecords>();
        services.AddSingleton<InternalEndpoint>();
        services.AddSingleton(sp => new InternalAccess(sp.GetRequiredService<IOptions<InternalOptions>>().Value.ApiKey, sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<InternalAccess>>()));

        // Asynchronous finishing (queue functions, outbox relay).
        services.AddSettings<FinishingOptions>(FinishingOptions.Section);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<FinishingOptions>>().Value);
        services.AddBackOffice();
        services.AddGoogleNotifications();
        Settlement.GoogleStatementsRegistration.AddGoogleStatements(services);
        services.AddSingleton<OperationSteps>();
        services.AddSingleton<DependencyBreakers>();
        services.AddSingleton<FinishingBacklog>();
        services.AddSingleton<IWorkBacklog>(sp => sp.GetRequiredService<FinishingBacklog>());
        services.AddSingleton<RefundWorker>();
        services.AddSingleton<ReservationCancellationWorker>();
        services.AddSingleton<NotificationWorker>();
        services.AddSingleton<BookingWorker>();
        services.AddSingleton<IBookingFinisher>(sp => sp.GetRequiredService<BookingWorker>());
        services.AddSingleton<OutboxRelay>();
        services.AddSingleton<OperationRequeue>();
        services.AddSingleton<StatementReconciler>();
        services.AddSingleton<StatementRecords>();
        services.AddSingleton<StatementEndpoint>();
        return services;
    }
}
