using Payments.Core.Hosting;
using Payments.Core.Storage;
using Payments.LocalHost.Functions;
using Payments.LocalHost.Queues;

namespace Payments.LocalHost.Finishing;

/// <summary>The local host's part of the Functions host for the queue and timer functions: one pump per
/// queue function (on the storage its connection resolves to, as the host resolves it) and one loop per
/// timer function, each invoking the [Function] method itself.</summary>
public static class LocalFinishing
{
    public static IServiceCollection AddLocalFinishing(this IServiceCollection services, IReadOnlyList<AppFunction> functions, IConfiguration configuration)
    {
        services.AddSingleton<IQueueSignal, PumpSignal>();
        foreach (var function in functions)
        {
            switch (function.Trigger)
            {
                case QueueFunctionTrigger queue:
                    var connection = StorageConnection.FromConfiguration(configuration, ConnectionSetting.Resolve(configuration, queue.Connection));
                    services.AddQueuePump(FunctionCatalog.ResolveSetting(queue.QueueName, configuration),
                        sp => (message, cancellationToken) => function.InvokeQueueAsync(sp, message, cancellationToken),
                        sp => StorageClients.CreateQueueServiceClient(connection, sp.GetRequiredService<StorageClientOptions>(),
                            sp.GetRequiredService<StorageRoundTrips>(), logger: sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StorageClients).FullName!)));
                    break;
                case TimerFunctionTrigger timer:
                    var schedule = configuration[TimerFunctionLoop.ScheduleOverride(function.Name)] is { Length: > 0 } local
                        ? local : FunctionCatalog.ResolveSetting(timer.Schedule, configuration);
                    services.AddSingleton<IHostedService>(sp => new TimerFunctionLoop(function, schedule, timer.RunOnStartup, sp,
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
