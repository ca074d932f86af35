using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Storage;
using Payments.Core.Transactions;
using Payments.Core.Idempotency;

namespace Payments.Core.Finishing;

/// <summary>What the finishing workers share: reading an operation, recording its steps, scheduling
/// retries with back-off, and parking it for an operator when the budget is spent.</summary>
public sealed partial class OperationSteps(TransactionStore store, OutboxIndex outbox, FinishingOptions options, TimeProvider time, ILogger<OperationSteps> logger)
{
    /// <summary>Steps kept per operation (the oldest are dropped; counts are kept separately).</summary>
    private const int MaxRecords = 40;

    public FinishingOptions Options => options;
    public TransactionStore Store => store;
    public OutboxIndex Outbox => outbox;
    public DateTimeOffset Now => time.GetUtcNow();
    public TimeProvider Time => time;

    public async Task<OperationRow?> ReadOperationAsync(WorkItem item, CancellationToken cancellationToken) =>
        await store.Transactions.GetOrNullAsync(item.Partition, item.Row, cancellationToken: cancellationToken) is { } row ? OperationRow.From(row) : null;

    /// <summary>Whether the finishing step still has to run. Already finished → the notification is
    /// queued again (the put after recording the result may have been lost); done or parked → no.</summary>
    public async Task<bool> IsPendingAsync(OperationRow operation, WorkItem item, CancellationToken cancellationToken)
    {
        switch (operation.State)
        {
            case OperationStates.Pending:
                return true;
            case OperationStates.Notifying:
                await EnqueueAsync(QueueNames.Notifications, item, cancellationToken);
                return false;
            default:
                return false; // done, or parked for an operator
        }
    }

    /// <summary>The operation's step log with one more record.</summary>
    public static string AppendStep(OperationRow operation, StepRecord record)
    {
        var log = operation.Attempts is { Length: > 0 } text ? JsonNode.Parse(text)!.AsArray() : [];
        log.Add(new JsonObject
        {
            ["step"] = record.Step,
            ["at"] = record.At.ToString("O"),
            ["outcome"] = record.Outcome,
            ["detail"] = record.Detail,
            ["httpStatus"] = record.HttpStatus,
        });
        while (log.Count > MaxRecords) log.RemoveAt(0);
        return log.ToJsonString();
    }

    /// <summary>Records a failed attempt and either schedules the next one (a delayed queue message:
    /// exponential back-off without holding a lease) or, when the budget is spent, parks the
    /// operation: state NeedsAttention and the work item copied to the poison queue.</summary>
    /// <returns>false when the operation changed meanwhile (the caller re-reads).</returns>
    /// <param name="queue">the step's queue: <see cref="QueueNames.Notifications"/> counts notification attempts, any other booking attempts</param>
    public async Task<bool> RetryOrParkAsync(OperationRow operation, WorkItem item, string queue, StepRecord record, CancellationToken cancellationToken)
    {
        var notification = queue == QueueNames.Notifications;
        var attempts = ((notification ? operation.NotificationAttempts : operation.BookingAttempts) ?? 0) + 1;
        var now = Now;
        var park = attempts >= options.MaxAttempts;
        var delay = options.RetryDelay(attempts);
        var next = (notification ? operation with { NotificationAttempts = attempts } : operation with { BookingAttempts = attempts })
            with { Attempts = AppendStep(operation, record), UpdatedAt = now, DueAt = park ? now : now + delay };
        if (park)
            next = next with { State = OperationStates.NeedsAttention, ParkedQueue = queue, ParkedReason = $"{record.Step} failed {attempts} times; last: {record.Detail}" };
        if (await TryMergeAsync(next.FailedAttemptMerge(notification), operation.ETag, cancellationToken) is null) return false;

        if (park)
        {
            // Listed for operators (GET /internal/operations/needs-attention); should this write fail, the relay writes it.
            await outbox.MarkParkedAsync(item, queue, etag: null, cancellationToken);
            await store.Queue(QueueNames.Poison(queue)).SendMessageAsync(item.ToJson(), visibilityTimeout: null, timeToLive: TransactionStore.NeverExpire, cancellationToken: cancellationToken);
            LogParked(logger, item.Partition, item.Row, record.Step, attempts);
        }
        else
        {
            await store.EnqueueAsync(queue, item.ToJson(), delay, cancellationToken);
            LogRetry(logger, item.Partition, item.Row, record.Step, attempts, delay.TotalMilliseconds);
        }
        return true;
    }

    /// <summary>The step's dependency is down for everyone (its circuit breaker is open): the work goes back on its
    /// queue after <paramref name="delay"/> with its attempt count unchanged. Its due time moves with it, so
    /// that the outbox relay does not take it for lost and put copies beside it.</summary>
    /// <returns>false when the operation changed meanwhile (the caller re-reads).</returns>
    public async Task<bool> DeferAsync(OperationRow operation, WorkItem item, string queue, TimeSpan delay, CancellationToken cancellationToken)
    {
        var now = Now;
        var next = operation with { UpdatedAt = now, DueAt = now + delay };
        if (await TryMergeAsync(next.DeferredMerge(), operation.ETag, cancellationToken) is null) return false;
        await store.EnqueueAsync(queue, item.ToJson(), delay, cancellationToken);
        LogDeferred(logger, item.Partition, item.Row, queue, delay.TotalMilliseconds);
        return true;
    }

    /// <returns>the new ETag, or null when the row changed meanwhile (or is gone).</returns>
    public async Task<ETag?> TryMergeAsync(TableEntity update, ETag etag, CancellationToken cancellationToken)
    {
        try
        {
            return await store.Transactions.MergeAsync(update, etag, cancellationToken);
        }
        catch (RequestFailedException e) when (CommitLoop.IsConflict(e))
        {
            return null;
        }
    }

    public Task EnqueueAsync(string queue, WorkItem item, CancellationToken cancellationToken) =>
        store.EnqueueAsync(queue, item.ToJson(), delay: null, cancellationToken);

    [LoggerMessage(50, LogLevel.Warning, "operation {Partition}/{Row}: {Step} attempt {Attempt} failed; retry in {DelayMs:0} ms")]
    private static partial void LogRetry(ILogger logger, string partition, string row, string step, int attempt, double delayMs);

    [LoggerMessage(52, LogLevel.Debug, "operation {Partition}/{Row}: its dependency is down (circuit open); back on {Queue} in {DelayMs:0} ms, no attempt counted")]
    private static partial void LogDeferred(ILogger logger, string partition, string row, string queue, double delayMs);

    [LoggerMessage(51, LogLevel.Error, "operation {Partition}/{Row}: {Step} failed {Attempts} times; parked in the poison queue, needs attention")]
    private static partial void LogParked(ILogger logger, string partition, string row, string step, int attempts);
}
