using Payments.Core.Hosting;
using Payments.Core.Storage;
using Payments.Core.Transactions;

namespace Payments.Core.Finishing;

public enum RequeueStatus { Requeued, NotFound, AlreadyDone }

public sealed record RequeueResult(RequeueStatus Status, IReadOnlyList<string> Operations);

/// <summary>The operator's replay of parked work: every unfinished operation started under the
/// requestId gets a fresh retry budget and goes back on its queue (booking if it has no result yet,
/// else the notification). Running it for work that is still moving is harmless: every step is
/// idempotent.</summary>
public sealed class OperationRequeue(OperationSteps steps, TimeProvider time)
{
    public async Task<RequeueResult> RequeueAsync(string piaid, string requestId, CancellationToken cancellationToken)
    {
        var store = steps.Store;
        var candidates = new List<(string Partition, string Row)>();
        await foreach (var marker in store.Requests.QueryAsync($"PartitionKey eq {Keys.Quote(Keys.MarkerPartition(piaid, requestId))}", ["Anchor"], cancellationToken: cancellationToken))
            if (marker.GetString("Anchor") is { } anchor) candidates.Add((anchor, Keys.OperationRow(requestId)));
        // The paid notification lives with the reference number, found by its generate requestId.
        var referenceNumber = Keys.ReferenceNumberPartition(piaid, requestId);
        candidates.Add((referenceNumber, Keys.PaymentOperationRow(referenceNumber)));

        var found = new List<string>();
        var done = 0;
        foreach (var (partition, row) in candidates.Distinct())
        {
            switch (await RequeueOneAsync(partition, row, cancellationToken))
            {
                case RequeueStatus.Requeued: found.Add($"{partition}/{row}"); break;
                case RequeueStatus.AlreadyDone: done++; break;
            }
        }
        if (found.Count > 0) return new RequeueResult(RequeueStatus.Requeued, found);
        return new RequeueResult(done > 0 ? RequeueStatus.AlreadyDone : RequeueStatus.NotFound, found);
    }

    /// <summary>The operation's reset, decided on its current state. Another requeue (or a worker step)
    /// that wrote it since it was read wins the ETag: read again and decide again, as a requeue that came
    /// after it would.</summary>
    private async Task<RequeueStatus> RequeueOneAsync(string partition, string row, CancellationToken cancellationToken)
    {
        var store = steps.Store;
        for (var attempt = 1; ; attempt++)
        {
            var operation = await store.Transactions.GetAsync(partition, row, cancellationToken: cancellationToken);
            if (operation is null) return RequeueStatus.NotFound;
            if (operation.GetString("State") == OperationStates.Done) return RequeueStatus.AlreadyDone;
            var hasResult = operation.GetString("Result") is not null;
            var now = steps.Now;
            var reset = new TableEntity(partition, row)
            {
                ["State"] = hasResult ? OperationStates.Notifying : OperationStates.Pending,
                ["BookingAttempts"] = 0,
                ["NotificationAttempts"] = 0,
                ["UpdatedAt"] = now,
                ["DueAt"] = now,
                ["RequeuedAt"] = now,
                ["Attempts"] = OperationSteps.AppendStep(operation, new StepRecord("requeue", now, "requeued", "requeued by an operator")),
            };
            var queue = hasResult ? QueueNames.Notifications : operation.GetString("Queue") ?? QueueNames.Refunds;
            var item = new WorkItem(partition, row);
            // Indexed again first (the relay removed the row of the parked operation): should the put
            // below be lost, the relay finds it.
            await steps.Outbox.AddAsync(queue, item, cancellationToken);
            try
            {
                await store.Transactions.MergeAsync(reset, operation.ETag ?? "*", cancellationToken);
            }
            catch (StorageRequestFailedException e) when (e.Status == 412)
            {
                if (attempt >= MaxAttempts) throw new Protocol.ConcurrencyConflictException("the operation kept changing while it was requeued; retry");
                // Spread the racers out, a little more each time (as the ledger does on a commit conflict).
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 4 + 2 * Math.Min(attempt, 10))), time, cancellationToken);
                continue;
            }
            await steps.EnqueueAsync(queue, item, cancellationToken);
            return RequeueStatus.Requeued;
        }
    }

    /// <summary>Tries per operation before the requeue gives up (then a 409 asks the operator to retry).</summary>
    private const int MaxAttempts = 32;
}
