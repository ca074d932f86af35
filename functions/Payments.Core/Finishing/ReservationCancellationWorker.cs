using Microsoft.Extensions.Logging;
using Payments.Core.BackOffice;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Storage;
using Payments.Core.Transactions;
using Payments.Core.Idempotency;

namespace Payments.Core.Finishing;

/// <summary>
/// Finishes a cancelFundsReservation: the reservation was marked cancelled when the call was
/// acknowledged, so no money moves; the release is final at once and the notification follows.
/// </summary>
public sealed partial class ReservationCancellationWorker(OperationSteps steps, NotificationWorker notifications, ILogger<ReservationCancellationWorker> logger)
{
    public async Task ProcessAsync(string message, CancellationToken cancellationToken)
    {
        var item = WorkItem.Parse(message);
        var finished = await CommitLoop.RunAsync<OperationRow?>(steps.Store.Transactions, async (_, ct) =>
        {
            var operation = await steps.ReadOperationAsync(item, ct);
            if (operation is null) { LogMissing(logger, item.Partition, item.Row); return CommitDecision<OperationRow?>.Answer(null); }
            if (!await steps.IsPendingAsync(operation, item, ct)) return CommitDecision<OperationRow?>.Answer(null);
            var now = steps.Now;
            var next = operation with
            {
                State = OperationStates.Notifying, Result = "SUCCESS", FinishedAt = now, UpdatedAt = now, DueAt = now,
                Attempts = OperationSteps.AppendStep(operation, new StepRecord("release", now, "released", "reserved funds released")),
            };
            // A conflict: another delivery recorded it first; looked at again.
            return CommitDecision<OperationRow?>.Commit([new TableTransactionAction(TableTransactionActionType.UpdateMerge, next.FinishedMerge(), operation.ETag)],
                etags => next with { ETag = etags[0] });
        }, "reservation cancellation", steps.Time, cancellationToken);
        if (finished is not null) await notifications.DeliverAsync(item, finished, cancellationToken);
    }

    [LoggerMessage(62, LogLevel.Warning, "reservation cancellation {Partition}/{Row}: no such operation; message dropped")]
    private static partial void LogMissing(ILogger logger, string partition, string row);
}
