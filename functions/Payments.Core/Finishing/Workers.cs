using Microsoft.Extensions.Logging;
using Payments.Core.BackOffice;
using Payments.Core.Finishing;
using Payments.Core.Hosting;
using Payments.Core.Notifications;
using Payments.Core.Protocol;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Storage;
using Payments.Core.Transactions;

// The queue functions' classes keep the namespace the Functions entry points use.
namespace Payments.Core.Hosting;

/// <summary>
/// Finishes an acknowledged asynchronousRefund: books it in the back office (idempotent by its
/// deterministic back-office code), then records the final result — and, for a decline, gives the
/// amount back to the refundable balance — in one commit, and delivers the notification at once.
/// Safe under at-least-once delivery: a second delivery finds the result recorded, or books again
/// and the back office answers with the first booking.
/// </summary>
public sealed partial class RefundWorker(OperationSteps steps, IBackOffice backOffice, NotificationWorker notifications, ILogger<RefundWorker> logger)
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
                outcome = await backOffice.BookRefundAsync(booking, ct);
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
            if (outcome is BookingOutcome.Declined)
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

/// <summary>
/// Delivers an operation's final result to Google with the operation's own stable requestId, and
/// records every attempt. Not accepted → retried with exponential back-off; beyond the budget the
/// operation is parked (NeedsAttention, poison queue) for an operator to requeue.
/// </summary>
public sealed partial class NotificationWorker(OperationSteps steps, IGoogleNotificationClient google, ILogger<NotificationWorker> logger)
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

            var sent = await google.SendAsync(Notification(operation), ct);
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

/// <summary>
/// The outbox relay: finds operations that are not finished and have not moved since they were
/// due (their queue message was lost between commit and put, or the host parked it while storage
/// was down) and enqueues them again. Timer-triggered in Azure, a loop in the local host.
/// It reads the outbox index (table <c>outbox</c>: a row per unfinished operation), never the
/// transactions, and only the rows older than the grace and not parked; it removes the rows of
/// operations that are done, and of operations that never came to be (their call gave up before the commit).
/// An operation that is merely waiting behind a backlog looks the same as a lost one. So nothing is
/// relayed onto a queue that already holds <see cref="MaxPerRun"/> messages (its workers are busy;
/// what is lost gets relayed once they have caught up), each further relay of one operation waits
/// twice as long (grace, 2·grace, 4·grace … at most 16·grace), and one run relays a bounded number: a
/// deep backlog is never multiplied by copies of its own messages.
/// </summary>
public sealed partial class OutboxRelay(OperationSteps steps, ILogger<OutboxRelay> logger)
{
    /// <summary>NCRONTAB schedule of the timer trigger: every 30 seconds.</summary>
    public const string Schedule = "*/30 * * * * *";
    /// <summary>Operations relayed per run at most; the rest wait for the next run.</summary>
    public const int MaxPerRun = 200;
    /// <summary>Operations read per run at most (one point read each).</summary>
    public const int MaxReadsPerRun = 2 * MaxPerRun;
    private const int MaxBackoffDoublings = 4;

    /// <summary>Where the last run stopped for its read budget: the next one goes on after it, so rows it
    /// cannot act on yet (calls that gave up before their commit, kept for <see cref="OutboxIndex.OrphanAge"/>)
    /// never keep the rows behind them from being read. A run that reaches the end starts the next one anew.</summary>
    private WorkItem? _resumeAfter;

    /// <returns>how many operations were enqueued again.</returns>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = steps.Now;
        var overdue = now - steps.Options.RelayGrace;
        var relayed = 0;
        // The queues already holding MaxPerRun messages or more: their workers are busy.
        var busy = (await steps.Store.WorkQueueDepthsAsync(cancellationToken))
            .Where(q => q.Value >= MaxPerRun).Select(q => q.Key).ToHashSet(StringComparer.Ordinal);
        // Every queue busy: nothing could be relayed now, so the index is not read either.
        if (busy.Count < QueueNames.All.Count)
        {
            var reads = 0;
            var resumeAfter = _resumeAfter;
            _resumeAfter = null;
            // Rows younger than the grace are operations being committed or worked on right now; parked
            // ones wait for an operator.
            var rows = steps.Store.Outbox.QueryAsync<TableEntity>(OutboxRow.OverdueFilter(overdue, resumeAfter), select: OutboxRow.RelaySelect, cancellationToken: cancellationToken);
            WorkItem? last = null;
            await foreach (var entity in rows)
            {
                var row = OutboxRow.From(entity);
                if (relayed >= MaxPerRun || reads >= MaxReadsPerRun)
                {
                    _resumeAfter = last;
                    break;
                }
                last = row.Item;
                // Its first queue busy: the operation is most likely in it (a notification whose own
                // message was lost waits for that backlog too).
                var firstQueue = row.Queue;
                if (busy.Contains(firstQueue)) continue;
                reads++;
                var item = row.Item;
                var operation = await steps.ReadOperationAsync(item, cancellationToken);
                var state = operation?.State;
                if (state == OperationStates.NeedsAttention)
                {
                    // Parked, but its mark was not written: operators find it by the mark.
                    await steps.Outbox.MarkParkedAsync(item, firstQueue, row.ETag, cancellationToken);
                    continue;
                }
                if (operation is null ? now - row.CreatedAt > OutboxIndex.OrphanAge : state == OperationStates.Done)
                {
                    // Never committed, or done (by the ETag, a requeue that wrote the row again since keeps it).
                    await steps.Outbox.RemoveAsync(item, row.ETag);
                    continue;
                }
                if (operation is null || state is not (OperationStates.Pending or OperationStates.Notifying)) continue;
                if (operation.DueAt >= overdue) continue;
                var queue = state == OperationStates.Pending ? operation.Queue : QueueNames.Notifications;
                if (busy.Contains(queue)) continue;
                var count = (operation.RelayCount ?? 0) + 1;
                // The next relay of this operation comes grace · 2^(count−1) from now at the earliest.
                var wait = steps.Options.RelayGrace * ((1 << Math.Min(count - 1, MaxBackoffDoublings)) - 1);
                // Claim it first (ETag) so that two relays, or a relay and a late worker, don't both act.
                var touch = operation with { DueAt = now + wait, RelayedAt = now, RelayCount = count };
                if (await steps.TryMergeAsync(touch.RelayedMerge(), operation.ETag, cancellationToken) is null) continue;
                await steps.EnqueueAsync(queue, item, cancellationToken);
                relayed++;
            }
        }
        if (relayed > 0) LogRelayed(logger, relayed);
        return relayed;
    }

    [LoggerMessage(65, LogLevel.Warning, "outbox relay: enqueued {Count} unfinished operation(s) again")]
    private static partial void LogRelayed(ILogger logger, int count);
}
