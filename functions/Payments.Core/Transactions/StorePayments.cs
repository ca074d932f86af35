using Payments.Core.Protocol;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Storage;
using Payments.Core.Idempotency;
using Payments.Core.Journal;

namespace Payments.Core.Transactions;

/// <summary>
/// A payment at a store, reported by the integrator's own systems: marks the reference number paid
/// (never a cancelled or expired one; a paid one can never be cancelled afterwards, the state's ETag
/// decides who was first) and queues <c>referenceNumberPaidNotification</c> in the same commit.
/// A repeat of the same report answers the same; another transaction for a paid number is refused.
/// The payment is a money movement: the commit records it in the journal.
/// </summary>
public sealed class StorePayments(TransactionStore store, OutboxIndex outbox, MoneyJournal journal, TimeProvider time)
{
    public async Task<PaymentReportResult> ReportAsync(PaymentReport report, CancellationToken cancellationToken)
    {
        var index = await ReferenceNumberIndexRow.ReadAsync(store.Requests, report.PaymentIntegratorAccountId, report.ReferenceNumber, cancellationToken);
        if (ReferenceNumberIndexRow.AnchorOf(index) is not { } partition) return new(PaymentReportStatus.Unknown, "unknown reference number");

        var stateRow = Keys.StateRow(partition);
        var operationRow = Keys.PaymentOperationRow(partition);
        var item = new WorkItem(partition, operationRow);
        var notificationRequestId = Operations.NotificationRequestId(partition, operationRow);
        // The outbox row written before the first commit attempt.
        OutboxIndex.Added? indexed = null;
        var committed = false;
        var result = await CommitLoop.RunAsync(store.Transactions, async (_, ct) =>
        {
            var state = await store.Transactions.GetOrNullAsync(partition, stateRow, cancellationToken: ct) is { } read ? ReferenceNumberRow.From(read) : null;
            // The index may point at a transaction that lost a race and was never committed.
            if (state is null || state.ReferenceNumber != report.ReferenceNumber)
                return CommitDecision<PaymentReportResult>.Answer(new(PaymentReportStatus.Unknown, "unknown reference number"));

            switch (state.Status)
            {
                case ReferenceNumberStatus.Paid when state.PaymentIntegratorTransactionId == report.PaymentIntegratorTransactionId:
                    return CommitDecision<PaymentReportResult>.Answer(new(PaymentReportStatus.Paid, "already recorded", notificationRequestId));
                case ReferenceNumberStatus.Paid:
                    return CommitDecision<PaymentReportResult>.Answer(new(PaymentReportStatus.Refused, "already paid by another transaction"));
                case ReferenceNumberStatus.Cancelled:
                    // A cancelled number is never paid, so the row written before a commit that lost to
                    // the cancellation belongs to no operation. (After losing to a payment it is that
                    // payment's: the operation row is the same.)
                    if (indexed is not null) await outbox.RemoveAsync(item, indexed.ETag);
                    return CommitDecision<PaymentReportResult>.Answer(new(PaymentReportStatus.Refused, "the reference number was cancelled"));
            }
            var now = time.GetUtcNow();
            if (state.IsExpired(now))
                return CommitDecision<PaymentReportResult>.Answer(new(PaymentReportStatus.Refused, "the reference number has expired"));

            var paidAt = DateTimeOffset.FromUnixTimeMilliseconds(report.PaidAtEpochMillis);
            var paid = state with
            {
                Status = ReferenceNumberStatus.Paid, PaidMicros = state.AmountMicros, PaidAt = paidAt,
                PaymentIntegratorTransactionId = report.PaymentIntegratorTransactionId, UpdatedAt = now,
            };
            var notification = state.Version == 2 ? GoogleMethods.ReferenceNumberPaidNotificationV2 : GoogleMethods.ReferenceNumberPaidNotificationV1;
            var operation = Operations.New(partition, operationRow, OperationKinds.ReferenceNumberPaid, report.PaymentIntegratorAccountId,
                state.GenerateRequestId, QueueNames.Notifications, notification, now) with
            {
                ReferenceNumber = report.ReferenceNumber,
                PaymentIntegratorTransactionId = report.PaymentIntegratorTransactionId,
                PaidAt = paidAt,
                // Nothing to book: the result is final at once; only the notification remains.
                State = OperationStates.Notifying,
                Result = "PAID",
            };
            indexed ??= await outbox.AddAsync(QueueNames.Notifications, item, ct);
            // Google's statement names the payment by the generating call's requestId and the store's transaction id.
            var movement = new MoneyMovement(report.PaymentIntegratorAccountId, state.GenerateRequestId, report.PaymentIntegratorTransactionId,
                MoneyMovementKind.Capture, state.AmountMicros, state.CurrencyCode, now, $"{state.Api}-v{state.Version}", partition)
            {
                ReferenceNumber = report.ReferenceNumber,
            };
            await journal.IndexAsync(movement, ct);
            OutboxIndex.EnsureInCommitWindow(indexed, now);
            // A conflict: a concurrent report or cancellation; decided again on the new state.
            return CommitDecision<PaymentReportResult>.Commit(
            [
                new TableTransactionAction(TableTransactionActionType.UpdateMerge, paid.PaidMerge(), state.ETag),
                new TableTransactionAction(TableTransactionActionType.Add, operation.ToEntity()),
                MoneyJournal.Record(movement),
            ], _ =>
            {
                committed = true;
                return new(PaymentReportStatus.Paid, "paid", notificationRequestId);
            });
        }, "the reference number", time, cancellationToken);
        if (committed) await outbox.PutAfterCommitAsync(QueueNames.Notifications, item);
        return result;
    }
}
