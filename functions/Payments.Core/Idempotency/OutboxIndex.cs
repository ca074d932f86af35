using Microsoft.Extensions.Logging;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Storage;

namespace Payments.Core.Idempotency;

/// <summary>
/// The index of unfinished operations: a row in table <c>outbox</c>, keyed like its <c>op|</c> row,
/// for every operation that is not done yet. It is written before the commit that creates the
/// operation, so an operation never exists without it (a crash in between leaves a row without an
/// operation, which the relay removes), marked <c>Parked</c> when the operation needs an operator
/// (the relay leaves those alone; operators list them), and removed once Google has accepted the
/// notification. The outbox relay reads this small table instead of scanning every transaction ever made.
/// </summary>
public sealed partial class OutboxIndex(TransactionStore store, TimeProvider time, ILogger<OutboxIndex> logger)
{
    /// <summary>How long a removal, or the put after a commit, may take before it is left to the relay.</summary>
    private static readonly TimeSpan BestEffortTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A commit starts at most this long after its row was written (else the call gives up)…</summary>
    public static readonly TimeSpan CommitWindow = TimeSpan.FromSeconds(60);

    /// <summary>…so a row this old whose operation does not exist never gets one (a commit that started in
    /// the window lands within the storage client's retries, ≈ 3 minutes): the relay removes it.</summary>
    public static readonly TimeSpan OrphanAge = TimeSpan.FromMinutes(15);

    /// <summary>A row written for a commit about to happen.</summary>
    public sealed record Added(ETag ETag, DateTimeOffset At);

    /// <summary>Indexes the operation <paramref name="item"/> names, which starts on <paramref name="queue"/>.
    /// Insert or replace: a retry, or a concurrent duplicate of the same call, writes the same row.</summary>
    /// <returns>the row's ETag, for <see cref="RemoveAsync"/> should the commit not happen.</returns>
    public async Task<Added> AddAsync(string queue, WorkItem item, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var etag = await store.Outbox.UpsertAsync(new OutboxRow(item, queue, now).ToEntity(), cancellationToken);
        return new Added(etag, now);
    }

    /// <summary>Marks the row of an operation that now needs an operator (written if it was missing).</summary>
    /// <param name="etag">the row's ETag when the caller read it (the relay: a requeue since wins), null to mark it regardless</param>
    public async Task MarkParkedAsync(WorkItem item, string queue, ETag? etag, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        try
        {
            if (etag is null) await store.Outbox.UpsertMergeAsync(new OutboxRow(item, queue, now, Parked: true, ParkedAt: now).ToEntity(), cancellationToken);
            else await store.Outbox.MergeAsync(OutboxRow.ParkedMerge(item, now), etag.Value, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            // Removed or written again (requeued) meanwhile.
        }
    }

    /// <summary>The keys of the operations marked parked, at most <paramref name="max"/>.</summary>
    /// <returns>the keys, and whether there are more</returns>
    public async Task<(IReadOnlyList<WorkItem> Items, bool More)> ParkedAsync(int max, CancellationToken cancellationToken)
    {
        var items = new List<WorkItem>();
        await foreach (var row in store.Outbox.QueryAsync<TableEntity>(OutboxRow.ParkedFilter, select: TableCalls.WithKeys(), cancellationToken: cancellationToken))
        {
            if (items.Count == max) return (items, true);
            items.Add(new WorkItem(row.PartitionKey, row.RowKey));
        }
        return (items, false);
    }

    /// <summary>Refuses a commit that would come later than <see cref="CommitWindow"/> after its row.</summary>
    public static void EnsureInCommitWindow(Added added, DateTimeOffset now)
    {
        if (now - added.At > CommitWindow)
            throw new ConcurrencyConflictException("the call took too long to commit its work; retry");
    }

    /// <summary>Puts the message that starts the operation <paramref name="item"/> names, after the commit that
    /// created it. A failed put is not an error for the caller: the work is recorded and indexed, and the
    /// relay re-enqueues an operation whose message never arrived.</summary>
    /// <param name="delay">hidden until then (<see cref="OutboxMessage.Delay"/>)</param>
    public async Task PutAfterCommitAsync(string queue, WorkItem item, TimeSpan? delay = null)
    {
        try
        {
            // Not the caller's token: the commit happened, so a caller that hangs up now must not
            // cancel the put (the relay would catch it, but only after its grace period).
            using var timeout = new CancellationTokenSource(BestEffortTimeout);
            await store.EnqueueAsync(queue, item.ToJson(), delay, timeout.Token);
        }
        catch (Exception e)
        {
            LogPutFailed(logger, queue, item.Partition, item.Row, e.GetType().Name);
        }
    }

    /// <summary>Removes the row; best effort (a row left behind costs the relay one read).</summary>
    /// <param name="etag"><see cref="ETag.All"/> once the operation is done; the ETag <see cref="AddAsync"/> returned when
    /// its commit did not happen: a duplicate of the call that wrote the row again since keeps it.</param>
    public async Task RemoveAsync(WorkItem item, ETag etag)
    {
        try
        {
            // Not the caller's token: a removal after a commit must not be cancelled by a caller hanging up.
            using var timeout = new CancellationTokenSource(BestEffortTimeout);
            await store.Outbox.DeleteRowAsync(item.Partition, item.Row, etag, timeout.Token);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            // Gone already, or written again by a duplicate of the call.
        }
        catch (Exception e)
        {
            LogKept(logger, item.Partition, item.Row, e.GetType().Name);
        }
    }

    [LoggerMessage(11, LogLevel.Warning, "queue put to {Queue} for {Partition}/{Row} failed after the commit ({Error}); the outbox relay will re-enqueue it")]
    private static partial void LogPutFailed(ILogger logger, string queue, string partition, string row, string error);

    [LoggerMessage(13, LogLevel.Debug, "outbox row {Partition}/{Row} not removed ({Error}); the relay will remove it")]
    private static partial void LogKept(ILogger logger, string partition, string row, string error);
}
