using Microsoft.Extensions.Logging;
using Payments.Core.BackOffice;
using Payments.Core.Notifications;
using Payments.Core.Protocol;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Storage;
using Payments.Core.Transactions;
using Payments.Core.Idempotency;

namespace Payments.Core.Finishing;

/// <summary>
/// Delivers an operation's final result to Google with the operation's own stable requestId, and
/// records every attempt. Not accepted → retried with exponential back-off; beyond the budget the
/// operation is parked (NeedsAttention, poison queue) for an operator to requeue. While Google's circuit
/// breaker is open the notification waits on its queue without spending an attempt (<see cref="DependencyBreaker"/>).
/// </summary>
public sealed partial class NotificationWorker(OperationSteps steps, IGoogleNotificationClient google, DependencyBreakers breakers, ILogger<NotificationWorker> logger)
{
    public Task ProcessAsync(string message, CancellationToken cancellationToken) =>
        DeliverAsync(WorkItem.Parse(message), known: null, cancellationToken);

    /// <param name="known">the operation as the step before this one left it (with its ETag), which
    /// saves reading it again; null to read it.</param>
    public async Task DeliverAsync(WorkItem item, OperationRow? known, CancellationToken cancellationToken)
    {
        var delivered = await CommitLoop.RunAsync(steps.Store.Transactions, async (_, ct) =>
        {
            var operation = known ?? await steps.ReadOperationAsync(item, ct);
            known = null;
            if (operation is null) { LogMissing(logger, item.Partition, item.Row); return CommitDecision<bool>.Answer(false); }
            if (operation.State != OperationStates.Notifying) return CommitDecision<bool>.Answer(false); // not final yet, done, or parked

            var gated = await breakers.Google.CallAsync(c => google.SendAsync(Notification(operation), c), ct);
            if (gated.Deferred)
            {
                return await steps.DeferAsync(operation, item, QueueNames.Notifications, gated.RetryAfter!.Value, ct)
                    ? CommitDecision<bool>.Answer(false) : CommitDecision<bool>.Again;
            }
            var sent = gated.Value!;
            var record = new StepRecord("notification", sent.At, sent.Outcome.ToString(), sent.Detail, sent.HttpStatus);
            if (!sent.Delivered)
            {
                return await steps.RetryOrParkAsync(operation, item, QueueNames.Notifications, record, ct)
                    ? CommitDecision<bool>.Answer(false) : CommitDecision<bool>.Again;
            }
            var now = steps.Now;
            var done = operation with
            {
                State = OperationStates.Done, NotifiedAt = now, UpdatedAt = now,
                NotificationAttempts = (operation.NotificationAttempts ?? 0) + 1, Attempts = OperationSteps.AppendStep(operation, record),
            };
            // A conflict: another delivery of the same message raced us; Google saw the same requestId and result
            // twice, which is safe.
            return CommitDecision<bool>.Commit([new TableTransactionAction(TableTransactionActionType.UpdateMerge, done.DoneMerge(), operation.ETag)], _ =>
            {
                LogDelivered(logger, item.Partition, item.Row, operation.NotificationRequestId);
                return true;
            });
        }, "notification operation", steps.Time, cancellationToken);
        // Done is final (an operator's requeue leaves it alone): the relay has nothing more to look for.
        if (delivered) await steps.Outbox.RemoveAsync(item, ETag.All);
    }

    /// <summary>The notification the operation owes Google, built only from what the operation recorded.</summary>
    public static GoogleNotification Notification(OperationRow op)
    {
        var (piaid, notificationId, requestId) = (op.PaymentIntegratorAccountId, op.NotificationRequestId, op.RequestId);
        return op.Kind switch
        {
            OperationKinds.Refund when op.NotificationVersion == 2 => new RefundResultNotificationV2(piaid, notificationId, requestId, op.BackOfficeCode!, op.Result!),
            OperationKinds.Refund => new RefundResultNotification(piaid, notificationId, requestId, op.Result!),
            OperationKinds.ReservationCancellation => new CancelFundsReservationResultNotification(piaid, notificationId, requestId, op.Result!),
            OperationKinds.ReferenceNumberPaid when op.NotificationVersion == 2 => new ReferenceNumberPaidNotificationV2(
                piaid, notificationId, op.PaymentIntegratorTransactionId!, requestId, op.PaidAt!.Value.ToUnixTimeMilliseconds()),
            OperationKinds.ReferenceNumberPaid => new ReferenceNumberPaidNotificationV1(
                piaid, notificationId, op.PaymentIntegratorTransactionId!, op.ReferenceNumber!, op.PaidAt!.Value.ToUnixTimeMilliseconds()),
            var kind => throw new InvalidOperationException($"operation kind '{kind}' has no notification"),
        };
    }

    [LoggerMessage(63, LogLevel.Warning, "notification {Partition}/{Row}: no such operation; message dropped")]
    private static partial void LogMissing(ILogger logger, string partition, string row);

    [LoggerMessage(64, LogLevel.Information, "notification {Partition}/{Row}: Google accepted {NotificationRequestId}")]
    private static partial void LogDelivered(ILogger logger, string partition, string row, string? notificationRequestId);
}
