using Microsoft.Extensions.Logging;
using Payments.Core.Finishing;
using Payments.Core.Hosting;
using Payments.Core.Protocol;
using Payments.Core.Storage;
using Payments.Core.Transactions;

namespace Payments.Core.Idempotency;

/// <summary>One mutating call as the ledger sees it (gsp.md §5).</summary>
/// <param name="Partition">the transaction partition the call acts on</param>
/// <param name="NeedsMarker">true when the partition is not derived from the call's own requestId
/// (cancel, refund, createMandate): a marker then pins the key to one transaction and body.</param>
/// <param name="ExtraRows">other rows of the partition the decision needs to see</param>
public sealed record IdempotentRequest(
    string PaymentIntegratorAccountId,
    string MethodKey,
    string RequestId,
    string Fingerprint,
    string Partition,
    bool NeedsMarker,
    IReadOnlyList<string>? ExtraRows = null)
{
    /// <summary>The ledger's view of a validated protocol call acting on <paramref name="partition"/>.</summary>
    public static IdempotentRequest For(ProtocolCall call, string partition, bool needsMarker) =>
        new(call.PaymentIntegratorAccountId!, Keys.MethodKey(call.Method), call.RequestId, call.Fingerprint, partition, needsMarker);
}

/// <summary>What the partition held when the decision was taken.</summary>
public sealed class Snapshot(TableEntity? state, IReadOnlyDictionary<string, TableEntity> rows, DateTimeOffset now)
{
    public TableEntity? State { get; } = state;
    public IReadOnlyDictionary<string, TableEntity> Rows { get; } = rows;
    public DateTimeOffset Now { get; } = now;
}

/// <summary>A decision: the response payload and the writes that make it true, committed with the
/// ledger entry in one entity group transaction; the messages are put after the commit.</summary>
public sealed record CommitPlan(string Payload, IReadOnlyList<TableTransactionAction> Actions, IReadOnlyList<OutboxMessage> Messages)
{
    public static CommitPlan Answer(string payload) => new(payload, [], []);
}

public sealed record OutboxMessage(string Queue, string Text);

/// <summary>
/// The request ledger. First call: read the partition (state + this call's ledger entry) → decide →
/// [marker] → commit state change + ledger entry + outbox entry atomically → put the queue message.
/// Replay: the same single read finds the entry and returns its payload. Concurrent duplicates
/// collide on the ledger entry's insert (or the state's ETag) and the losers replay the winner.
/// </summary>
public sealed partial class IdempotencyLedger(TransactionStore store, PaymentsOptions options, FinishingBacklog backlog, TimeProvider time, ILogger<IdempotencyLedger> logger)
{
    /// <summary>How long a marker whose call left no ledger entry counts as still in flight.</summary>
    public static readonly TimeSpan InFlightWindow = TimeSpan.FromSeconds(60);
    private const int MaxAttempts = 32;
    /// <summary>How long the put after a commit may take before the relay is left to do it.</summary>
    public static readonly TimeSpan PutTimeout = TimeSpan.FromSeconds(10);

    public async Task<string> ExecuteAsync(IdempotentRequest request, Func<Snapshot, CancellationToken, ValueTask<CommitPlan>> decide, CancellationToken cancellationToken)
    {
        var ledgerRow = Keys.LedgerRow(request.MethodKey, request.RequestId);
        var stateRow = Keys.StateRow(request.Partition);
        string[] rowKeys = [stateRow, ledgerRow, .. request.ExtraRows ?? []];
        var markerClaimed = !request.NeedsMarker;

        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            // A call whose partition is named after its own requestId creates the transaction: the
            // state and this ledger entry commit together, so without the entry there is no state
            // either and one read does. Should there be one after all (the entry swept by retention,
            // or another method's call with this requestId), the insert conflicts and the next
            // attempt reads both.
            var rows = await store.ReadRowsAsync(request.Partition, attempt == 1 && !request.NeedsMarker ? rowKeys[1..] : rowKeys, cancellationToken);
            if (rows.TryGetValue(ledgerRow, out var entry)) return Replay(request, entry);

            var now = time.GetUtcNow();
            var plan = await decide(new Snapshot(rows.GetValueOrDefault(stateRow), rows, now), cancellationToken);
            // New work is refused while the finishing queues are too deep, before anything is written
            // (replays above are still answered: their work is already queued).
            if (plan.Messages.Count > 0) await backlog.EnsureRoomAsync(cancellationToken);

            if (!markerClaimed)
            {
                await ClaimMarkerAsync(request, now, cancellationToken);
                markerClaimed = true;
            }

            var ledger = new TableEntity(request.Partition, ledgerRow)
            {
                ["Fingerprint"] = request.Fingerprint,
                ["Payload"] = plan.Payload,
                ["Method"] = request.MethodKey,
                ["RequestId"] = request.RequestId,
                ["CreatedAt"] = now,
                ["RetainUntil"] = now.AddDays(options.IdempotencyRetentionDays),
            };
            try
            {
                await store.Transactions.SubmitTransactionAsync(
                    [new TableTransactionAction(TableTransactionActionType.Insert, ledger), .. plan.Actions], cancellationToken);
            }
            catch (StorageRequestFailedException e) when (e.Status is 409 or 412)
            {
                // Someone else committed in this partition first: a duplicate of this call (we will
                // find its ledger entry and replay it) or another call that changed the state (we
                // decide again on the new state).
                LogCommitConflict(logger, request.MethodKey, request.RequestId, attempt, e.ErrorCode);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 4 + 2 * Math.Min(attempt, 10))), time, cancellationToken);
                continue;
            }

            foreach (var message in plan.Messages) await PutAsync(message);
            return plan.Payload;
        }
        throw new ConcurrencyConflictException("the transaction kept changing while this call was decided; retry");
    }

    private static string Replay(IdempotentRequest request, TableEntity entry)
    {
        if (entry.GetString("Fingerprint") != request.Fingerprint)
            throw new ProtocolException(new ProtocolError(ErrorCode.IdempotencyViolation,
                "requestId was already used with a different request body"));
        return entry.GetString("Payload") ?? throw new InvalidOperationException("ledger entry without payload");
    }

    private async Task ClaimMarkerAsync(IdempotentRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var markerPartition = Keys.MarkerPartition(request.PaymentIntegratorAccountId, request.RequestId);
        var marker = new TableEntity(markerPartition, Keys.MarkerRow(markerPartition, request.MethodKey))
        {
            ["Method"] = request.MethodKey,
            ["Anchor"] = request.Partition,
            ["Fingerprint"] = request.Fingerprint,
            ["CreatedAt"] = now,
        };
        try
        {
            await store.Requests.InsertAsync(marker, cancellationToken);
            return;
        }
        catch (StorageRequestFailedException e) when (e.Status == 409)
        {
            // The key was used before: by an earlier attempt of this very call (fine), or with
            // another body or for another transaction.
        }

        var existing = await store.Requests.GetAsync(marker.PartitionKey, marker.RowKey, cancellationToken: cancellationToken)
            ?? throw new ConcurrencyConflictException("idempotency marker changed while it was read");
        if (existing.GetString("Anchor") == request.Partition && existing.GetString("Fingerprint") == request.Fingerprint) return;

        var otherAnchor = existing.GetString("Anchor") ?? "";
        var otherEntry = await store.Transactions.GetAsync(otherAnchor, Keys.LedgerRow(request.MethodKey, request.RequestId), ["Fingerprint"], cancellationToken);
        if (otherEntry is not null)
            throw new ProtocolException(new ProtocolError(ErrorCode.IdempotencyViolation, "requestId was already used with a different request body"));
        if (now - (existing.GetDateTimeOffset("CreatedAt") ?? now) < InFlightWindow)
            throw new ConcurrencyConflictException("a call with the same requestId and a different body is in flight");

        // The earlier call with this key never completed (it failed or its process died before the
        // commit): errors are not stored, so the key is free again.
        try
        {
            await store.Requests.ReplaceAsync(marker, existing.ETag ?? "*", cancellationToken);
        }
        catch (StorageRequestFailedException e) when (e.Status is 409 or 412)
        {
            throw new ConcurrencyConflictException("idempotency marker was claimed concurrently");
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
            await store.EnqueueAsync(message.Queue, message.Text, delay: null, timeout.Token);
        }
        catch (Exception e)
        {
            LogPutFailed(logger, e.GetType().Name, message.Queue);
        }
    }

    [LoggerMessage(10, LogLevel.Debug, "{Method} requestId={RequestId}: commit conflict on attempt {Attempt} ({ErrorCode}); deciding again")]
    private static partial void LogCommitConflict(ILogger logger, string method, string requestId, int attempt, string? errorCode);

    [LoggerMessage(11, LogLevel.Warning, "queue put to {Queue} failed after the commit ({Error}); the outbox relay will re-enqueue it")]
    private static partial void LogPutFailed(ILogger logger, string error, string queue);
}
