using Microsoft.Extensions.Logging;
using Payments.Core.Hosting;
using Payments.Core.Protocol;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Storage;

namespace Payments.Core.Idempotency;

/// <summary>
/// The request ledger. First call: [claim the key's marker while] reading the partition (a call that
/// creates its transaction reads nothing) → decide → [index the new operation in the outbox →] commit
/// state change + ledger entry + operation atomically → put the queue message.
/// Replay: the read (where a marker is claimed, the marker that exists and then the entry; for a
/// creating call, the conflict of its commit and then the entry) finds the entry and returns its
/// payload. Concurrent duplicates collide on the ledger entry's insert (or the state's ETag) and the
/// losers replay the winner.
/// </summary>
public sealed partial class IdempotencyLedger(TransactionStore store, OutboxIndex outbox, PaymentsOptions options, IWorkBacklog backlog, TimeProvider time, ILogger<IdempotencyLedger> logger)
{
    /// <summary>How long a marker whose call left no ledger entry counts as still in flight.</summary>
    public static readonly TimeSpan InFlightWindow = TimeSpan.FromSeconds(60);
    /// <summary>How long the put after a commit may take before the relay is left to do it.</summary>
    public static readonly TimeSpan PutTimeout = TimeSpan.FromSeconds(10);

    public async Task<string> ExecuteAsync(IdempotentRequest request, Func<Snapshot, CancellationToken, ValueTask<CommitPlan>> decide, CancellationToken cancellationToken)
    {
        var ledgerRow = Keys.LedgerRow(request.MethodKey, request.RequestId);
        var stateRow = Keys.StateRow(request.Partition);
        string[] rowKeys = [stateRow, ledgerRow, .. request.ExtraRows ?? []];
        var markerClaimed = !request.NeedsMarker;
        // The ETag of the marker this call inserted: given back should the call end in an error.
        ETag? ownMarker = null;
        // The marker is a duplicate's of this very call, which may still give it back.
        var sharedMarker = false;
        // The outbox rows this call wrote (with their ETags), given back should no commit follow.
        List<(WorkItem Item, OutboxIndex.Added Row)>? indexed = null;

        // Set once a commit lost: what that plan wrote outside the commit is given back.
        CommitPlan? current = null;
        // The plan that committed (null: the call was answered by a replay).
        CommitPlan? committed = null;
        // The call's own writes were given back already (it failed while deciding).
        var released = false;
        string payload;
        try
        {
            payload = await CommitLoop.RunAsync(store.Transactions, async (attempt, cancellationToken) =>
            {
                Dictionary<string, TableEntity> rows;
                var unread = false;
                // While new work is being refused the claim waits for the decision: a call answered 503
                // then writes nothing at all (and costs no marker written and deleted again).
                if (!markerClaimed && !await backlog.IsFullAsync(cancellationToken))
                {
                    // The key is claimed while the state is read. Every call commits only after its claim,
                    // so a marker this call could insert means no ledger entry to look for: a first call
                    // reads no row that is not there. A marker that exists means a replay, a duplicate or
                    // a reuse, and then the entry is read too.
                    var insert = TryInsertMarkerAsync(request, cancellationToken);
                    var read = store.ReadRowsAsync(request.Partition, [stateRow, .. request.ExtraRows ?? []], cancellationToken);
                    try
                    {
                        await Task.WhenAll(insert, read);
                    }
                    catch (Exception) when (insert.IsCompletedSuccessfully && insert.Result is { } inserted)
                    {
                        await ReleaseMarkerAsync(request, inserted);
                        throw;
                    }
                    (ownMarker, rows) = (insert.Result, read.Result);
                    if (ownMarker is null)
                    {
                        if (await store.Transactions.GetOrNullAsync(request.Partition, ledgerRow, cancellationToken: cancellationToken) is { } found)
                            return CommitDecision<string>.Answer(Replay(request, found));
                        (ownMarker, sharedMarker) = await ClaimExistingMarkerAsync(request, cancellationToken);
                    }
                    markerClaimed = true;
                }
                else if (attempt == 1 && !request.NeedsMarker && rowKeys.Length == 2)
                {
                    // A call whose partition is named after its own requestId creates the transaction, and
                    // almost always for the first time: it decides on an empty partition without reading it.
                    // Its commit inserts the ledger entry and the state, so should either exist (a replay, a
                    // duplicate, the entry of another method's call with this requestId, or a state whose
                    // entry retention swept) the commit conflicts and the next attempt reads both.
                    rows = [];
                    unread = true;
                }
                else
                {
                    // A later attempt, after a conflict: most likely a duplicate of this call committed, relying on
                    // the marker. Should this read fail the marker stays: it only makes a call with the same key and
                    // another body wait for InFlightWindow, while a retry of this body goes on as usual.
                    rows = await store.ReadRowsAsync(request.Partition, rowKeys, cancellationToken);
                    if (rows.TryGetValue(ledgerRow, out var entry)) return CommitDecision<string>.Answer(Replay(request, entry));
                }

                var now = time.GetUtcNow();
                CommitPlan? plan = null;
                try
                {
                    plan = await decide(new Snapshot(rows.GetValueOrDefault(stateRow), rows, now), cancellationToken);
                    // New work is refused while the finishing queues are too deep, before anything is written
                    // (replays above are still answered: their work is already queued).
                    if (plan.Messages.Count > 0) await backlog.EnsureRoomAsync(cancellationToken);
                    if (!markerClaimed)
                    {
                        var inserted = await TryInsertMarkerAsync(request, cancellationToken);
                        (ownMarker, sharedMarker) = inserted is not null ? (inserted, false) : await ClaimExistingMarkerAsync(request, cancellationToken);
                        markerClaimed = true;
                    }
                    // Before the commit, so that no operation ever exists that the relay cannot find. Once per
                    // call: the work a decision queues is named after the call, whichever attempt commits.
                    if (indexed is null && plan.Messages.Count > 0)
                    {
                        indexed = [];
                        foreach (var message in plan.Messages) indexed.Add((message.Item, await outbox.AddAsync(message.Queue, message.Item, cancellationToken)));
                    }
                    foreach (var (_, row) in indexed ?? []) OutboxIndex.EnsureInCommitWindow(row, time.GetUtcNow());
                }
                catch (Exception)
                {
                    // Nothing of this call was committed (an earlier attempt's commit conflicted). Errors are not
                    // stored (docs/protocol.md §5): the key is free again for a corrected call. Also when the caller
                    // hung up: the release does not run on the caller's token.
                    await ReleaseAsync(request, ownMarker, indexed);
                    released = true;
                    if (plan?.Abandon is { } abandon) await BestEffortAsync(request, abandon);
                    throw;
                }

                var ledger = new LedgerEntryRow(request.Partition, ledgerRow, request.MethodKey, request.RequestId, request.Fingerprint, plan.Payload,
                    now, now.AddDays(options.IdempotencyRetentionDays));
                current = plan;
                // A conflict: someone else committed in this partition first, a duplicate of this call (whose ledger
                // entry the next attempt finds and replays) or another call that changed the state (decided again on
                // the new state). After an unread first attempt the conflict is most likely a replay: read at once.
                return CommitDecision<string>.Commit([new TableTransactionAction(TableTransactionActionType.Add, ledger.ToEntity()), .. plan.Actions], _ =>
                {
                    committed = plan;
                    return plan.Payload;
                }, atOnce: unread);
            }, "the transaction", time, cancellationToken, async (attempt, e) =>
            {
                LogCommitConflict(logger, request.MethodKey, request.RequestId, attempt, e?.ErrorCode);
                if (current?.Abandon is { } abandon) await BestEffortAsync(request, abandon);
            });
        }
        catch (ConcurrencyConflictException) when (!released)
        {
            await ReleaseAsync(request, ownMarker, indexed);
            throw;
        }
        catch (Exception e) when (!released && IsRefusedOutright(e))
        {
            // The commit was refused outright, by the storage client before sending or by storage (an entity
            // it cannot hold, say): certainly nothing was committed, so nothing of the call may stay behind.
            // (Any other failure leaves the outcome unknown, and the marker then guards the key until the
            // call is retried.)
            await ReleaseAsync(request, ownMarker, indexed);
            if (current?.Abandon is { } abandon) await BestEffortAsync(request, abandon);
            throw;
        }
        if (committed is null) return payload;

        // A duplicate that inserted the marker and then failed has given it back: claim it again.
        if (sharedMarker) await ReclaimMarkerAsync(request);
        foreach (var message in committed.Messages) await PutAsync(message);
        return payload;
    }

    /// <summary>A commit the storage client refused before sending it, or storage refused with a client error
    /// other than a conflict (409, 412: decided again) or a transient one (408, 429).</summary>
    private static bool IsRefusedOutright(Exception e) => e switch
    {
        ArgumentException => true,
        RequestFailedException r => r.Status is >= 400 and < 500 and not (408 or 409 or 412 or 429),
        _ => false,
    };

    /// <summary>Gives back what a call that commits nothing wrote: its marker and its outbox rows.</summary>
    private async Task ReleaseAsync(IdempotentRequest request, ETag? ownMarker, List<(WorkItem Item, OutboxIndex.Added Row)>? indexed)
    {
        if (ownMarker is { } etag) await ReleaseMarkerAsync(request, etag);
        foreach (var (item, row) in indexed ?? []) await outbox.RemoveAsync(item, row.ETag);
    }

    private static string Replay(IdempotentRequest request, TableEntity found)
    {
        var entry = LedgerEntryRow.From(found);
        if (entry.Fingerprint != request.Fingerprint)
            throw new ProtocolException(new ProtocolError(ErrorCode.IdempotencyViolation,
                "requestId was already used with a different request body"));
        return entry.Payload;
    }

    private MarkerRow Marker(IdempotentRequest request) => MarkerRow.For(request, time.GetUtcNow());

    /// <returns>the new marker's ETag, or null when the key has a marker already.</returns>
    private async Task<ETag?> TryInsertMarkerAsync(IdempotentRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await store.Requests.InsertAsync(Marker(request).ToEntity(), cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return null;
        }
    }

    /// <summary>The key has a marker but this partition no ledger entry for it: the marker is an earlier
    /// attempt of this very call (one that failed, crashed, or is still in flight as a duplicate), or the
    /// key was used with another body or for another transaction.</summary>
    /// <returns>the ETag when this call now owns the marker (it replaced it), or Shared when the marker is
    /// (or was) a duplicate's of this very call.</returns>
    private async Task<(ETag? Owned, bool Shared)> ClaimExistingMarkerAsync(IdempotentRequest request, CancellationToken cancellationToken)
    {
        var marker = Marker(request);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var read = await store.Requests.GetOrNullAsync(marker.Partition, marker.Row, cancellationToken: cancellationToken);
            // Gone: given back by a twin of this call that ended in an error (this call will most likely end
            // the same way). Not fought over: like a twin's marker, it is claimed again after a commit.
            if (read is null) return (null, true);
            var existing = MarkerRow.From(read);
            if (existing.Anchor == request.Partition && existing.Fingerprint == request.Fingerprint) return (null, true);

            var otherEntry = await store.Transactions.GetOrNullAsync(existing.Anchor, Keys.LedgerRow(request.MethodKey, request.RequestId), LedgerEntryRow.ExistsSelect, cancellationToken);
            if (otherEntry is not null)
                throw new ProtocolException(new ProtocolError(ErrorCode.IdempotencyViolation, "requestId was already used with a different request body"));
            if (time.GetUtcNow() - existing.CreatedAt < InFlightWindow)
                throw new ConcurrencyConflictException("a call with the same requestId and a different body is in flight");

            // The earlier call with this key never completed (it failed or its process died before the
            // commit): errors are not stored, so the key is free again.
            try
            {
                return (await store.Requests.ReplaceAsync(marker.ToEntity(), existing.ETag, cancellationToken), false);
            }
            catch (RequestFailedException e) when (e.Status == 404 || CommitLoop.IsConflict(e))
            {
            }
        }
        throw new ConcurrencyConflictException("idempotency marker kept changing while it was claimed");
    }

    /// <summary>Gives back the marker this call inserted (errors are not stored).</summary>
    private Task ReleaseMarkerAsync(IdempotentRequest request, ETag etag)
    {
        var marker = Marker(request);
        return BestEffortAsync(request, token => store.Requests.DeleteRowAsync(marker.Partition, marker.Row, etag, token));
    }

    /// <summary>After a commit that relied on a twin's marker: inserts it again should the twin have given it back.</summary>
    private Task ReclaimMarkerAsync(IdempotentRequest request) => BestEffortAsync(request, token => TryInsertMarkerAsync(request, token));

    /// <summary>Never the caller's to fail, nor to cancel: a marker left behind only delays a corrected call by
    /// <see cref="InFlightWindow"/>, and after a commit the entry is stored; the marker only guards the key. An
    /// abandoned plan's leftover (a reference number's index row) points at a state that does not carry its number.</summary>
    private async Task BestEffortAsync(IdempotentRequest request, Func<CancellationToken, Task> write)
    {
        try
        {
            using var timeout = new CancellationTokenSource(PutTimeout);
            await write(timeout.Token);
        }
        catch (Exception e)
        {
            LogLeftBehind(logger, request.MethodKey, request.RequestId, e.GetType().Name);
        }
    }

    /// <summary>After the commit the work is recorded; a failed put is not an error for the caller:
    /// the outbox relay re-enqueues entries whose message never arrived.</summary>
    private async Task PutAsync(OutboxMessage message)
    {
        try
        {
            // Not the caller's token: the commit happened, so a caller that hangs up now must not
            // cancel the put (the relay would catch it, but only after its grace period).
            using var timeout = new CancellationTokenSource(PutTimeout);
            await store.EnqueueAsync(message.Queue, message.Item.ToJson(), delay: null, timeout.Token);
        }
        catch (Exception e)
        {
            LogPutFailed(logger, e.GetType().Name, message.Queue);
        }
    }

    [LoggerMessage(10, LogLevel.Debug, "{Method} requestId={RequestId}: commit conflict on attempt {Attempt} ({ErrorCode}); deciding again")]
    private static partial void LogCommitConflict(ILogger logger, string method, string requestId, int attempt, string? errorCode);

    [LoggerMessage(12, LogLevel.Debug, "{Method} requestId={RequestId}: a marker or an index row could not be given back, or a marker claimed again ({Error})")]
    private static partial void LogLeftBehind(ILogger logger, string method, string requestId, string error);

    [LoggerMessage(11, LogLevel.Warning, "queue put to {Queue} failed after the commit ({Error}); the outbox relay will re-enqueue it")]
    private static partial void LogPutFailed(ILogger logger, string error, string queue);
}
