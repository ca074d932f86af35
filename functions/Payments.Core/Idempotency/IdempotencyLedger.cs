using Microsoft.Extensions.Logging;
using Payments.Core.Finishing;
using Payments.Core.Protocol;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Storage;
using Payments.Core.Transactions;

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
    /// <summary>How long giving back (or claiming again) a marker or an index row may take.</summary>
    private static readonly TimeSpan BestEffortTimeout = TimeSpan.FromSeconds(10);

    public async Task<string> ExecuteAsync(IdempotentRequest request, Func<Snapshot, CancellationToken, ValueTask<CommitPlan>> decide, CancellationToken cancellationToken)
    {
        var call = new LedgerCall(request);
        string payload;
        try
        {
            payload = await CommitLoop.RunAsync(store.Transactions, (attempt, token) => AttemptAsync(call, attempt, decide, token),
                "the transaction", time, cancellationToken, (attempt, e) => OnConflictAsync(call, attempt, e));
        }
        catch (ConcurrencyConflictException) when (!call.Released)
        {
            await ReleaseAsync(call);
            throw;
        }
        catch (Exception e) when (!call.Released && IsRefusedOutright(e))
        {
            // The commit was refused outright, by the storage client before sending or by storage (an entity
            // it cannot hold, say): certainly nothing was committed, so nothing of the call may stay behind.
            // (Any other failure leaves the outcome unknown, and the marker then guards the key until the
            // call is retried.)
            await ReleaseAsync(call);
            await AbandonAsync(request, call.Submitted);
            throw;
        }
        if (call.Committed is { } committed) await AfterCommitAsync(call, committed);
        return payload;
    }

    /// <summary>One attempt: read (or find the entry to replay), decide, and hand the commit to the loop.</summary>
    private async ValueTask<CommitDecision<string>> AttemptAsync(LedgerCall call, int attempt,
        Func<Snapshot, CancellationToken, ValueTask<CommitPlan>> decide, CancellationToken cancellationToken)
    {
        var read = await ReadAsync(call, attempt, cancellationToken);
        if (read.Replay is { } replayed) return CommitDecision<string>.Answer(replayed);
        var now = time.GetUtcNow();
        var plan = await DecideAsync(call, new Snapshot(read.Rows.GetValueOrDefault(call.StateRow), read.Rows, now), decide, cancellationToken);
        return Commit(call, plan, now, read.Unread);
    }

    /// <summary>What an attempt decides on: the partition's rows, unless it found the call's entry (<paramref name="Replay"/>).</summary>
    /// <param name="Unread">the rows were not read (assumed absent), so a conflict most likely means a replay</param>
    private readonly record struct PartitionRead(IReadOnlyDictionary<string, TableEntity> Rows, string? Replay = null, bool Unread = false);

    private static readonly IReadOnlyDictionary<string, TableEntity> NoRows = new Dictionary<string, TableEntity>();

    private async Task<PartitionRead> ReadAsync(LedgerCall call, int attempt, CancellationToken cancellationToken)
    {
        // While new work is being refused the claim waits for the decision: a call answered 503
        // then writes nothing at all (and costs no marker written and deleted again).
        if (!call.MarkerClaimed && !await backlog.IsFullAsync(cancellationToken)) return await ClaimWhileReadingAsync(call, cancellationToken);

        // A call whose partition is named after its own requestId creates the transaction, and
        // almost always for the first time: it decides on an empty partition without reading it.
        // Its commit inserts the ledger entry and the state, so should either exist (a replay, a
        // duplicate, the entry of another method's call with this requestId, or a state whose
        // entry retention swept) the commit conflicts and the next attempt reads both.
        if (attempt == 1 && call.CreatesTransaction) return new PartitionRead(NoRows, Unread: true);

        // Most often a later attempt, after a conflict: most likely a duplicate of this call committed, relying on
        // the marker. Should this read fail the marker stays: it only makes a call with the same key and
        // another body wait for InFlightWindow, while a retry of this body goes on as usual.
        var rows = await store.ReadRowsAsync(call.Request.Partition, call.RowKeys, cancellationToken);
        return rows.TryGetValue(call.LedgerRow, out var entry) ? new PartitionRead(rows, Replay(call.Request, entry)) : new PartitionRead(rows);
    }

    /// <summary>The key is claimed while the state is read. Every call commits only after its claim,
    /// so a marker this call could insert means no ledger entry to look for: a first call
    /// reads no row that is not there. A marker that exists means a replay, a duplicate or
    /// a reuse, and then the entry is read too.</summary>
    private async Task<PartitionRead> ClaimWhileReadingAsync(LedgerCall call, CancellationToken cancellationToken)
    {
        var request = call.Request;
        var insert = TryInsertMarkerAsync(request, cancellationToken);
        var read = store.ReadRowsAsync(request.Partition, [call.StateRow, .. request.ExtraRows ?? []], cancellationToken);
        try
        {
            await Task.WhenAll(insert, read);
        }
        catch (Exception) when (insert.IsCompletedSuccessfully && insert.Result is { } inserted)
        {
            await ReleaseMarkerAsync(request, inserted);
            throw;
        }
        call.OwnMarker = insert.Result;
        if (call.OwnMarker is null)
        {
            if (await store.Transactions.GetOrNullAsync(request.Partition, call.LedgerRow, cancellationToken: cancellationToken) is { } found)
                return new PartitionRead(read.Result, Replay(request, found));
            (call.OwnMarker, call.SharedMarker) = await ClaimExistingMarkerAsync(request, cancellationToken);
        }
        call.MarkerClaimed = true;
        return new PartitionRead(read.Result);
    }

    /// <summary>Decides on <paramref name="snapshot"/>, then, before anything is committed, makes room
    /// for the work, claims the key (if the read did not) and indexes the work in the outbox.</summary>
    private async Task<CommitPlan> DecideAsync(LedgerCall call, Snapshot snapshot,
        Func<Snapshot, CancellationToken, ValueTask<CommitPlan>> decide, CancellationToken cancellationToken)
    {
        CommitPlan? plan = null;
        try
        {
            plan = await decide(snapshot, cancellationToken);
            // New work is refused while the finishing queues are too deep, before anything is written
            // (replays above are still answered: their work is already queued).
            if (plan.Messages.Count > 0) await backlog.EnsureRoomAsync(cancellationToken);
            if (!call.MarkerClaimed)
            {
                var inserted = await TryInsertMarkerAsync(call.Request, cancellationToken);
                (call.OwnMarker, call.SharedMarker) = inserted is not null ? (inserted, false) : await ClaimExistingMarkerAsync(call.Request, cancellationToken);
                call.MarkerClaimed = true;
            }
            await IndexAsync(call, plan, cancellationToken);
            if (plan.BeforeCommit is { } before) await before(cancellationToken);
            return plan;
        }
        catch (Exception)
        {
            // Nothing of this call was committed (an earlier attempt's commit conflicted). Errors are not
            // stored (docs/protocol.md §5): the key is free again for a corrected call. Also when the caller
            // hung up: the release does not run on the caller's token.
            await ReleaseAsync(call);
            call.Released = true;
            await AbandonAsync(call.Request, plan);
            throw;
        }
    }

    /// <summary>Indexes the plan's work in the outbox before the commit, so that no operation ever exists that
    /// the relay cannot find. Once per call: the work a decision queues is named after the call, whichever
    /// attempt commits.</summary>
    private async Task IndexAsync(LedgerCall call, CommitPlan plan, CancellationToken cancellationToken)
    {
        if (call.Indexed is null && plan.Messages.Count > 0)
        {
            call.Indexed = [];
            foreach (var message in plan.Messages) call.Indexed.Add((message.Item, await outbox.AddAsync(message.Queue, message.Item, cancellationToken)));
        }
        foreach (var (_, row) in call.Indexed ?? []) OutboxIndex.EnsureInCommitWindow(row, time.GetUtcNow());
    }

    /// <summary>The plan's writes with the ledger entry, as one commit.</summary>
    /// <param name="unread">after an attempt that read nothing a conflict is most likely a replay: read at once</param>
    private CommitDecision<string> Commit(LedgerCall call, CommitPlan plan, DateTimeOffset now, bool unread)
    {
        var request = call.Request;
        var ledger = new LedgerEntryRow(request.Partition, call.LedgerRow, request.MethodKey, request.RequestId, request.Fingerprint, plan.Payload,
            now, now.AddDays(options.IdempotencyRetentionDays));
        call.Submitted = plan;
        // A conflict: someone else committed in this partition first, a duplicate of this call (whose ledger
        // entry the next attempt finds and replays) or another call that changed the state (decided again on
        // the new state).
        return CommitDecision<string>.Commit([new TableTransactionAction(TableTransactionActionType.Add, ledger.ToEntity()), .. plan.Actions], _ =>
        {
            call.Committed = plan;
            return plan.Payload;
        }, atOnce: unread);
    }

    private async ValueTask OnConflictAsync(LedgerCall call, int attempt, RequestFailedException? e)
    {
        LogCommitConflict(logger, call.Request.MethodKey, call.Request.RequestId, attempt, e?.ErrorCode);
        await AbandonAsync(call.Request, call.Submitted);
    }

    /// <summary>After the commit: the work is recorded; its messages are put (a failed put is left to the relay).</summary>
    private async Task AfterCommitAsync(LedgerCall call, CommitPlan committed)
    {
        // A duplicate that inserted the marker and then failed has given it back: claim it again.
        if (call.SharedMarker) await ReclaimMarkerAsync(call.Request);
        foreach (var message in committed.Messages) await outbox.PutAfterCommitAsync(message.Queue, message.Item, message.Delay);
    }

    /// <summary>Gives back what a plan that is certainly not committed wrote outside the commit.</summary>
    private async Task AbandonAsync(IdempotentRequest request, CommitPlan? plan)
    {
        if (plan?.Abandon is { } abandon) await BestEffortAsync(request, abandon);
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
    private async Task ReleaseAsync(LedgerCall call)
    {
        if (call.OwnMarker is { } etag) await ReleaseMarkerAsync(call.Request, etag);
        foreach (var (item, row) in call.Indexed ?? []) await outbox.RemoveAsync(item, row.ETag);
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
            using var timeout = new CancellationTokenSource(BestEffortTimeout);
            await write(timeout.Token);
        }
        catch (Exception e)
        {
            LogLeftBehind(logger, request.MethodKey, request.RequestId, e.GetType().Name);
        }
    }

    [LoggerMessage(10, LogLevel.Debug, "{Method} requestId={RequestId}: commit conflict on attempt {Attempt} ({ErrorCode}); deciding again")]
    private static partial void LogCommitConflict(ILogger logger, string method, string requestId, int attempt, string? errorCode);

    [LoggerMessage(12, LogLevel.Debug, "{Method} requestId={RequestId}: a marker or an index row could not be given back, or a marker claimed again ({Error})")]
    private static partial void LogLeftBehind(ILogger logger, string method, string requestId, string error);

    /// <summary>What one call has done so far: the state its steps share, and what it must give back should
    /// it commit nothing.</summary>
    private sealed class LedgerCall(IdempotentRequest request)
    {
        public IdempotentRequest Request { get; } = request;
        public string LedgerRow { get; } = Keys.LedgerRow(request.MethodKey, request.RequestId);
        public string StateRow { get; } = Keys.StateRow(request.Partition);
        /// <summary>The rows a full read fetches: the state, the ledger entry and the extra rows.</summary>
        public string[] RowKeys => [StateRow, LedgerRow, .. Request.ExtraRows ?? []];
        /// <summary>The call's partition is named after its own requestId and it needs no other row.</summary>
        public bool CreatesTransaction => !Request.NeedsMarker && Request.ExtraRows is not { Count: > 0 };

        /// <summary>The key is this call's (or needs no marker).</summary>
        public bool MarkerClaimed { get; set; } = !request.NeedsMarker;
        /// <summary>The ETag of the marker this call inserted: given back should the call end in an error.</summary>
        public ETag? OwnMarker { get; set; }
        /// <summary>The marker is a duplicate's of this very call, which may still give it back.</summary>
        public bool SharedMarker { get; set; }
        /// <summary>The outbox rows this call wrote (with their ETags), given back should no commit follow.</summary>
        public List<(WorkItem Item, OutboxIndex.Added Row)>? Indexed { get; set; }
        /// <summary>The plan last sent to commit: should that commit be lost, what it wrote outside the commit is given back.</summary>
        public CommitPlan? Submitted { get; set; }
        /// <summary>The plan that committed (null: the call was answered by a replay).</summary>
        public CommitPlan? Committed { get; set; }
        /// <summary>The call's own writes were given back already (it failed while deciding).</summary>
        public bool Released { get; set; }
    }
}
