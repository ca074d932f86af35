using Microsoft.Extensions.Logging;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Transactions;
using Payments.Core.Idempotency;

namespace Payments.Core.Finishing;

/// <summary>
/// The outbox relay: finds operations that are not finished and have not moved since they were
/// due (their queue message was lost between commit and put, or the host parked it while storage
/// was down) and enqueues them again. Timer-triggered in Azure, a loop in the local host.
/// It reads the outbox index (table <c>outbox</c>: a row per unfinished operation), never the
/// transactions, and only the rows older than the grace and not parked; it removes the rows of
/// operations that are done, and of operations that never came to be (their call gave up before the commit).
/// An operation that is merely waiting behind a backlog looks the same as a lost one. So nothing is
/// relayed onto a queue that already holds <see cref="MaxPerRun"/> messages (its workers are busy;
/// what is lost gets relayed once they have caught up), each further relay of one operation waits
/// twice as long (grace, 2·grace, 4·grace … at most 16·grace), and one run relays a bounded number: a
/// deep backlog is never multiplied by copies of its own messages.
/// </summary>
public sealed partial class OutboxRelay(OperationSteps steps, ILogger<OutboxRelay> logger)
{
    /// <summary>NCRONTAB schedule of the timer trigger: every 30 seconds.</summary>
    public const string Schedule = "*/30 * * * * *";
    /// <summary>Operations relayed per run at most; the rest wait for the next run.</summary>
    public const int MaxPerRun = 200;
    /// <summary>Operations read per run at most (one point read each).</summary>
    public const int MaxReadsPerRun = 2 * MaxPerRun;
    private const int MaxBackoffDoublings = 4;

    /// <summary>Where the last run stopped for its read budget: the next one goes on after it, so rows it
    /// cannot act on yet (calls that gave up before their commit, kept for <see cref="OutboxIndex.OrphanAge"/>)
    /// never keep the rows behind them from being read. A run that reaches the end starts the next one anew.</summary>
    private WorkItem? _resumeAfter;

    /// <returns>how many operations were enqueued again.</returns>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = steps.Now;
        var overdue = now - steps.Options.RelayGrace;
        var relayed = 0;
        // The queues already holding MaxPerRun messages or more: their workers are busy.
        var busy = (await steps.Store.WorkQueueDepthsAsync(cancellationToken))
            .Where(q => q.Value >= MaxPerRun).Select(q => q.Key).ToHashSet(StringComparer.Ordinal);
        // Every queue busy: nothing could be relayed now, so the index is not read either.
        if (busy.Count < QueueNames.All.Count)
        {
            var reads = 0;
            var resumeAfter = _resumeAfter;
            _resumeAfter = null;
            // Rows younger than the grace are operations being committed or worked on right now; parked
            // ones wait for an operator.
            var rows = steps.Store.Outbox.QueryAsync<TableEntity>(OutboxRow.OverdueFilter(overdue, resumeAfter), select: OutboxRow.RelaySelect, cancellationToken: cancellationToken);
            WorkItem? last = null;
            await foreach (var entity in rows)
            {
                var row = OutboxRow.From(entity);
                if (relayed >= MaxPerRun || reads >= MaxReadsPerRun)
                {
                    _resumeAfter = last;
                    break;
                }
                last = row.Item;
                // Its first queue busy: the operation is most likely in it (a notification whose own
                // message was lost waits for that backlog too).
                var firstQueue = row.Queue;
                if (busy.Contains(firstQueue)) continue;
                reads++;
                var item = row.Item;
                var operation = await steps.ReadOperationAsync(item, cancellationToken);
                var state = operation?.State;
                if (state == OperationStates.NeedsAttention)
                {
                    // Parked, but its mark was not written: operators find it by the mark.
                    await steps.Outbox.MarkParkedAsync(item, firstQueue, row.ETag, cancellationToken);
                    continue;
                }
                if (operation is null ? now - row.CreatedAt > OutboxIndex.OrphanAge : state == OperationStates.Done)
                {
                    // Never committed, or done (by the ETag, a requeue that wrote the row again since keeps it).
                    await steps.Outbox.RemoveAsync(item, row.ETag);
                    continue;
                }
                if (operation is null || state is not (OperationStates.Pending or OperationStates.Notifying)) continue;
                if (operation.DueAt >= overdue) continue;
                var queue = state == OperationStates.Pending ? operation.Queue : QueueNames.Notifications;
                if (busy.Contains(queue)) continue;
                var count = (operation.RelayCount ?? 0) + 1;
                // The next relay of this operation comes grace · 2^(count−1) from now at the earliest.
                var wait = steps.Options.RelayGrace * ((1 << Math.Min(count - 1, MaxBackoffDoublings)) - 1);
                // Claim it first (ETag) so that two relays, or a relay and a late worker, don't both act.
                var touch = operation with { DueAt = now + wait, RelayedAt = now, RelayCount = count };
                if (await steps.TryMergeAsync(touch.RelayedMerge(), operation.ETag, cancellationToken) is null) continue;
                await steps.EnqueueAsync(queue, item, cancellationToken);
                relayed++;
            }
        }
        if (relayed > 0) LogRelayed(logger, relayed);
        return relayed;
    }

    [LoggerMessage(65, LogLevel.Warning, "outbox relay: enqueued {Count} unfinished operation(s) again")]
    private static partial void LogRelayed(ILogger logger, int count);
}
