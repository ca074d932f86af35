using Payments.Core.Finishing;
using Payments.Core.Hosting;
using Payments.Core.Idempotency;
using Payments.LocalHost.Queues;

namespace Payments.LocalHost.Finishing;

/// <summary>The local host's part of the Functions host for the queue functions and the timers:
/// one pump per queue calling the same worker classes the [QueueTrigger] functions call, and loops
/// calling the outbox relay and the retention sweep the [TimerTrigger] functions call.</summary>
public static class LocalFinishing
{
    public static IServiceCollection AddLocalFinishing(this IServiceCollection services)
    {
        services.AddSingleton<IQueueSignal, PumpSignal>();
        services.AddQueuePump(QueueNames.Refunds, sp => sp.GetRequiredService<RefundWorker>().ProcessAsync);
        services.AddQueuePump(QueueNames.ReservationCancellations, sp => sp.GetRequiredService<ReservationCancellationWorker>().ProcessAsync);
        services.AddQueuePump(QueueNames.Notifications, sp => sp.GetRequiredService<NotificationWorker>().ProcessAsync);
        services.AddHostedService<OutboxRelayLoop>();
        services.AddHostedService<RetentionSweepLoop>();
        return services;
    }

    private sealed class PumpSignal(IServiceProvider services) : IQueueSignal
    {
        public void Enqueued(string queue) => services.GetKeyedService<QueuePump>(queue)?.Wake();
    }
}

/// <summary>Runs the outbox relay twice per grace period, at most every 30 s as the Azure timer does.</summary>
public sealed partial class OutboxRelayLoop(OutboxRelay relay, FinishingOptions options, ILogger<OutboxRelayLoop> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Each run queries the outbox table, which Azurite evaluates entity by entity on its one thread (and
        // reads the queue counts): not more often than needed, nor than every 2 s.
        var interval = TimeSpan.FromMilliseconds(Math.Clamp(options.RelayGrace.TotalMilliseconds / 2, 2_000, 30_000));
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await relay.RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, e.GetType().Name);
            }
        }
    }

    [LoggerMessage(70, LogLevel.Warning, "outbox relay run failed ({Error}); next run on schedule")]
    private static partial void LogFailed(ILogger logger, string error);
}

/// <summary>Sweeps idempotency records past their retention at start and then hourly.</summary>
public sealed partial class RetentionSweepLoop(IdempotencyRetention retention, ILogger<RetentionSweepLoop> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(IdempotencyRetention.Interval);
        do
        {
            try
            {
                await retention.SweepAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, e.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(71, LogLevel.Warning, "retention sweep failed ({Error}); next sweep in an hour")]
    private static partial void LogFailed(ILogger logger, string error);
}
