using Microsoft.Extensions.Options;
using Payments.Core.Hosting;
using Payments.Core.Configuration;
using Payments.Core.Storage;
using Payments.LocalHost.Functions;
using Payments.LocalHost.Queues;

namespace Payments.LocalHost.Finishing;

/// <summary>The local host's part of the Functions host for the queue and timer functions: one pump per
/// queue function (on the app's storage connection, which every queue trigger names) and one loop per
/// timer function (on its schedule, or the one <see cref="LocalHostOptions.TimerSchedules"/> gives), each
/// invoking the [Function] method itself.</summary>
public static class LocalFinishing
{
    public static IServiceCollection AddLocalFinishing(this IServiceCollection services, IReadOnlyList<AppFunction> functions, IConfiguration configuration)
    {
        services.AddSettings<LocalHostOptions>(LocalHostOptions.Section);
        services.AddSingleton<IQueueSignal, PumpSignal>();
        foreach (var function in functions)
        {
            switch (function.Trigger)
            {
                case QueueFunctionTrigger queue:
                    if (!string.Equals(queue.Connection, StorageConnectionOptions.Section, StringComparison.OrdinalIgnoreCase))
                        throw new InvalidOperationException($"Function {function.Name}: connection '{queue.Connection}' is not the app's ({StorageConnectionOptions.Section}).");
                    services.AddQueuePump(FunctionCatalog.ResolveSetting(queue.QueueName, configuration),
                        sp => (message, cancellationToken) => function.InvokeQueueAsync(sp, message, cancellationToken),
                        sp => StorageClients.CreateQueueServiceClient(sp.GetRequiredService<StorageConnection>(), sp.GetRequiredService<StorageClientOptions>(),
                            sp.GetRequiredService<StorageRoundTrips>(), logger: sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StorageClients).FullName!)));
                    break;
                case TimerFunctionTrigger timer:
                    services.AddSingleton<IHostedService>(sp => new TimerFunctionLoop(function,
                        sp.GetRequiredService<IOptions<LocalHostOptions>>().Value.TimerSchedules.GetValueOrDefault(function.Name) is { Length: > 0 } local
                            ? local : FunctionCatalog.ResolveSetting(timer.Schedule, configuration),
                        timer.RunOnStartup, sp,
                        sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<TimerFunctionLoop>>()));
                    break;
            }
        }
        return services;
    }

    private sealed class PumpSignal(IServiceProvider services) : IQueueSignal
    {
        public void Enqueued(string queue) => services.GetKeyedService<QueuePump>(queue)?.Wake();
    }
}
