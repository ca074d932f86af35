using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Payments.Core.BackOffice;
using Payments.Core.Idempotency;
using Payments.Core.Journal;

namespace Payments.Core.Transactions;

/// <summary>
/// Commits a synchronous money movement (capture, refund; docs/protocol.md §12). Without a back office
/// (<c>BackOffice:Provider=None</c>) in one batch, final: the state change, the answer and the journal's row.
/// With one, in two: first the state change that reserves the money, a pending answer and an operation
/// <c>op|{requestId}</c> (its queue message delayed a little beyond the bounded wait, for the worker should the call
/// not finish); then the booking, and the final answer, journal row (or, declined, the money given back) in a
/// second batch (<see cref="IBookingFinisher"/>).
/// </summary>
public sealed class SynchronousMoney(MoneyJournal journal, IOptions<BackOfficeOptions> backOffice, IBookingFinisher finisher)
{
    /// <summary>How much later than the bounded wait the worker's message shows: the call is done by then.</summary>
    public static readonly TimeSpan WorkerMargin = TimeSpan.FromSeconds(5);

    private bool Books => backOffice.Value.IsCrmCom;

    /// <summary>The commit of <paramref name="decision"/>, taken at <paramref name="now"/> for the call <paramref name="ledgerRow"/> names.</summary>
    public CommitPlan Plan(MoneyDecision decision, string ledgerRow, DateTimeOffset now)
    {
        var movement = decision.Movement;
        if (!Books)
        {
            List<TableTransactionAction> final = [.. decision.Actions, MoneyJournal.Record(movement)];
            if (decision.NewCapture is { } captured) final.Add(new(TableTransactionActionType.Add, (captured with { Status = CaptureStatus.Captured }).ToEntity()));
            return new CommitPlan(decision.Payload, final, []) { BeforeCommit = ct => journal.IndexAsync(movement, ct) };
        }

        var wait = backOffice.Value.SynchronousBookingTimeout + WorkerMargin;
        var operation = new OperationRow(movement.Partition, Keys.OperationRow(movement.EventRequestId), decision.Booking.Kind, OperationStates.Pending,
            movement.PaymentIntegratorAccountId, movement.EventRequestId, QueueNames.Bookings, "", 0, "", "", now, now, now + wait)
        {
            AmountMicros = movement.AmountMicros,
            CurrencyCode = movement.CurrencyCode,
            BackOfficeCode = Operations.BackOfficeCode(movement.PaymentIntegratorAccountId, movement.EventRequestId),
            PaymentIntegratorTransactionId = movement.PaymentIntegratorEventId,
            WholeRemaining = decision.Booking.WholeRemaining,
            CaptureRequestId = decision.Booking.CaptureRequestId,
            AnswerRow = ledgerRow,
        };
        List<TableTransactionAction> pending = [.. decision.Actions, new(TableTransactionActionType.Add, operation.ToEntity())];
        if (decision.NewCapture is { } capture) pending.Add(new(TableTransactionActionType.Add, (capture with { Status = CaptureStatus.Pending }).ToEntity()));
        return new CommitPlan(PendingAnswer.Wrap(decision.Payload), pending, [new OutboxMessage(QueueNames.Bookings, operation.Item) { Delay = wait }]);
    }

    /// <summary>The answer of a call whose ledger returned <paramref name="payload"/>: a pending one is booked now.</summary>
    public Task<string> FinishAsync(string payload, string partition, string requestId, CancellationToken cancellationToken) =>
        PendingAnswer.IsPending(payload)
            ? finisher.FinishAsync(new WorkItem(partition, Keys.OperationRow(requestId)), cancellationToken)
            : Task.FromResult(payload);
}
