using Microsoft.Azure.Functions.Worker;
using NCrontab;
using Payments.LocalHost.Functions;

namespace Payments.LocalHost.Finishing;

/// <summary>
/// Runs one timer function at the times its NCRONTAB schedule (six fields, seconds first) gives, as the
/// Functions host does; a failed run is logged and the next one comes on schedule. The setting
/// <c>LocalHost:TimerSchedules:{FunctionName}</c> replaces the schedule locally (tests run the outbox
/// relay every few seconds instead of every 30).
/// </summary>
public sealed partial class TimerFunctionLoop(AppFunction function, string schedule, bool runOnStartup,
    IServiceProvider services, TimeProvider time, ILogger<TimerFunctionLoop> logger) : BackgroundService
{
    public string FunctionName => function.Name;

    private readonly CrontabSchedule _schedule = CrontabSchedule.Parse(schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var last = (DateTime?)null;
        if (runOnStartup) await RunAsync(last, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow().UtcDateTime;
            var next = _schedule.GetNextOccurrence(now);
            await Task.Delay(next - now, time, stoppingToken);
            await RunAsync(last, stoppingToken);
            last = next;
        }
    }

    private async Task RunAsync(DateTime? last, CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var info = new TimerInfo
        {
            ScheduleStatus = new ScheduleStatus { Last = last ?? default, Next = _schedule.GetNextOccurrence(now), LastUpdated = now },
        };
        try
        {
            await function.InvokeTimerAsync(services, info, stoppingToken);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            LogFailed(logger, function.Name, e.GetType().Name);
        }
    }

    [LoggerMessage(70, LogLevel.Warning, "timer function {Function} failed ({Error}); next run on schedule")]
    private static partial void LogFailed(ILogger logger, string function, string error);
}
