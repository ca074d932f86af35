using Azure;
using Azure.Data.Tables;
using Payments.Core.Idempotency;
using Payments.Core.Storage;
using Payments.Core.Transactions;

namespace Payments.Core.Finishing;

/// <summary>The operator's replay of parked work: every parked (NeedsAttention) operation started under
/// the requestId gets a fresh retry budget and goes back on its queue (booking if it has no result yet,
/// else the notification). Work that is queued, being worked on or done is left alone: a requeue of it
/// would only add attempts (and notifications) beside the ones already on their way.</summary>
public sealed class OperationRequeue(OperationSteps steps, TimeProvider time)
{
    public async Task<RequeueResult> RequeueAsync(string piaid, string requestId, CancellationToken cancellationToken)
    {
        var store = steps.Store;
        var candidates = new List<(string Partition, string Row)>();
        await foreach (var marker in store.Requests.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Keys.MarkerPartition(piaid, requestId)}"), select: MarkerRow.AnchorSelect, cancellationToken: cancellationToken))
            if (MarkerRow.AnchorOf(marker) is { } anchor) candidates.Add((anchor, Keys.OperationRow(requestId)));
        // The paid notification lives with the reference number, found by its generate requestId.
        var referenceNumber = Keys.ReferenceNumberPartition(piaid, requestId);
        candidates.Add((referenceNumber, Keys.PaymentOperationRow(referenceNumber)));

        var found = new List<string>();
        var notParked = 0;
        foreach (var (partition, row) in candidates.Distinct())
        {
            switch (await RequeueOneAsync(partition, row, cancellationToken))
            {
                case RequeueStatus.Requeued: found.Add($"{partition}/{row}"); break;
                case RequeueStatus.NotParked: notParked++; break;
            }
        }
        if (found.Count > 0) return new RequeueResult(RequeueStatus.Requeued, found);
        return new RequeueResult(notParked > 0 ? RequeueStatus.NotParked : RequeueStatus.NotFound, found);
    }

    /// <summary>The operation's reset, decided on its current state through the commit loop: another requeue
    /// (or a worker step) that wrote it since it was read wins the ETag, and this one reads again and decides
    /// again, as a requeue that came after it would: the work is no longer parked, so it is left alone.
    /// Of concurrent requeues of one parked operation exactly one resets it.</summary>
    private async Task<RequeueStatus> RequeueOneAsync(string partition, string row, CancellationToken cancellationToken)
    {
        var store = steps.Store;
        var item = new WorkItem(partition, row);
        var queue = "";
        var status = await CommitLoop.RunAsync(store.Transactions, async (_, ct) =>
        {
            var operation = await steps.ReadOperationAsync(item, ct);
            if (operation is null) return CommitDecision<RequeueStatus>.Answer(RequeueStatus.NotFound);
            if (operation.State != OperationStates.NeedsAttention) return CommitDecision<RequeueStatus>.Answer(RequeueStatus.NotParked);
            var hasResult = operation.Result is not null;
            var now = steps.Now;
            var reset = operation with
            {
                State = hasResult ? OperationStates.Notifying : OperationStates.Pending, BookingAttempts = 0, NotificationAttempts = 0,
                UpdatedAt = now, DueAt = now, RequeuedAt = now,
                Attempts = OperationSteps.AppendStep(operation, new StepRecord("requeue", now, "requeued", "requeued by an operator")),
            };
            queue = hasResult ? QueueNames.Notifications : operation.Queue;
            // Indexed again first (the relay removed the row of the parked operation): should the put
            // below be lost, the relay finds it.
            await steps.Outbox.AddAsync(queue, item, ct);
            return CommitDecision<RequeueStatus>.Commit([new TableTransactionAction(TableTransactionActionType.UpdateMerge, reset.RequeueMerge(), operation.ETag)], _ => RequeueStatus.Requeued);
        }, "the operation being requeued", time, cancellationToken);
        if (status == RequeueStatus.Requeued) await steps.EnqueueAsync(queue, item, cancellationToken);
        return status;
    }
}
