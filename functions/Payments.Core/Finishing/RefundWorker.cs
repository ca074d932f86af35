using Microsoft.Extensions.Logging;
using Payments.Core.BackOffice;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Storage;
using Payments.Core.Transactions;
using Payments.Core.Idempotency;
using Payments.Core.Journal;

namespace Payments.Core.Finishing;

/// <summary>
/// Finishes an acknowledged asynchronousRefund: books it in the back office (idempotent by its
/// deterministic back-office code), then records the final result — and, for a decline, gives the
/// amount back to the refundable balance, for a success the money journal's record — in one commit, and
/// delivers the notification at once.
/// Safe under at-least-once delivery: a second delivery finds the result recorded, or books again
/// and the back office answers with the first booking. While the back office's circuit breaker is open the
/// booking waits on its queue without spending an attempt (<see cref="DependencyBreaker"/>).
/// </summary>
public sealed partial class RefundWorker(OperationSteps steps, IBackOffice backOffice, DependencyBreakers breakers, NotificationWorker notifications, MoneyJournal journal, ILogger<RefundWorker> logger)
{
    public async Task ProcessAsync(string message, CancellationToken cancellationToken)
    {
        var item = WorkItem.Parse(message);
        // Done: nothing (left) to do; otherwise the operation as the commit left it, for the notification.
        var finished = await CommitLoop.RunAsync<OperationRow?>(steps.Store.Transactions, async (_, ct) =>
        {
            var operation = await steps.ReadOperationAsync(item, ct);
            if (operation is null) { LogMissing(logger, item.Partition, item.Row); return CommitDecision<OperationRow?>.Answer(null); }
            if (!await steps.IsPendingAsync(operation, item, ct)) return CommitDecision<OperationRow?>.Answer(null);

            var amount = operation.AmountMicros ?? 0;
            var booking = new RefundBooking(
                operation.BackOfficeCode!, operation.PaymentIntegratorAccountId, operation.ReferenceNumber!,
                amount, operation.CurrencyCode!, operation.WholeRemaining ?? false, $"Google refund {operation.RequestId}");
            BookingOutcome outcome;
            try
            {
                var gated = await breakers.BackOffice.CallAsync(c => backOffice.BookRefundAsync(booking, c), ct);
                if (gated.Deferred)
                {
                    return await steps.DeferAsync(operation, item, QueueNames.Refunds, gated.RetryAfter!.Value, ct)
                        ? CommitDecision<OperationRow?>.Answer(null) : CommitDecision<OperationRow?>.Again;
                }
                outcome = gated.Value!;
            }
            catch (BackOfficeFaultException e)
            {
                var record = new StepRecord("booking", steps.Now, "fault", e.Message);
                return await steps.RetryOrParkAsync(operation, item, QueueNames.Refunds, record, ct)
                    ? CommitDecision<OperationRow?>.Answer(null) : CommitDecision<OperationRow?>.Again;
            }

            var now = steps.Now;
            var (result, detail) = outcome switch
            {
                BookingOutcome.Booked b => ("SUCCESS", "booked " + b.BookingId),
                BookingOutcome.Declined d => (d.RefundResult, $"declined by the back office ({d.BackOfficeCode}): {d.Message}"),
                _ => throw new InvalidOperationException("unknown booking outcome"),
            };
            var next = operation with
            {
                State = OperationStates.Notifying, Result = result, FinishedAt = now, UpdatedAt = now, DueAt = now,
                Attempts = OperationSteps.AppendStep(operation, new StepRecord("booking", now, result == "SUCCESS" ? "booked" : "declined", detail)),
                BookingId = outcome is BookingOutcome.Booked booked ? booked.BookingId : operation.BookingId,
            };
            var actions = new List<TableTransactionAction> { new(TableTransactionActionType.UpdateMerge, next.FinishedMerge(), operation.ETag) };
            if (outcome is BookingOutcome.Booked)
            {
                // Our refund id is the back-office code: deterministic, and what the back office carries.
                var movement = new MoneyMovement(operation.PaymentIntegratorAccountId, operation.RequestId, operation.BackOfficeCode!,
                    MoneyMovementKind.Refund, amount, operation.CurrencyCode!, now, $"{operation.NotificationApi}-v{operation.NotificationVersion}", item.Partition)
                {
                    ReferenceNumber = operation.ReferenceNumber,
                    CaptureRequestId = operation.GenerateRequestId,
                };
                await journal.IndexAsync(movement, ct);
                actions.Add(MoneyJournal.Record(movement));
            }
            else
            {
                // A declined refund never happened: its amount is refundable again. Only a decline
                // needs the transaction's state, so only a decline reads it.
                var read = await steps.Store.Transactions.GetOrNullAsync(item.Partition, Keys.StateRow(item.Partition), cancellationToken: ct);
                if (read is null) { LogMissing(logger, item.Partition, item.Row); return CommitDecision<OperationRow?>.Answer(null); }
                var state = ReferenceNumberRow.From(read);
                var balance = state with { RefundedMicros = state.RefundedMicros - amount, UpdatedAt = now };
                actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateMerge, balance.RefundedMerge(), state.ETag));
            }
            // A conflict: the balance moved (another refund) or another delivery got here first; looked at again.
            return CommitDecision<OperationRow?>.Commit(actions, etags =>
            {
                LogFinished(logger, item.Partition, item.Row, result);
                return next with { ETag = etags[0] };
            });
        }, "refund operation", steps.Time, cancellationToken);
        if (finished is not null) await notifications.DeliverAsync(item, finished, cancellationToken);
    }

    [LoggerMessage(60, LogLevel.Warning, "refund {Partition}/{Row}: no such operation; message dropped")]
    private static partial void LogMissing(ILogger logger, string partition, string row);

    [LoggerMessage(61, LogLevel.Information, "refund {Partition}/{Row}: final result {Result}")]
    private static partial void LogFinished(ILogger logger, string partition, string row, string result);
}
