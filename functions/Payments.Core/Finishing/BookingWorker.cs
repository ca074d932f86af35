using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Core.BackOffice;
using Payments.Core.Idempotency;
using Payments.Core.Journal;
using Payments.Core.Protocol;
using Payments.Core.Storage;
using Payments.Core.Transactions;

namespace Payments.Core.Finishing;

/// <summary>
/// Phase two of a synchronous capture or refund (docs/protocol.md §12): books the operation in the back office
/// (idempotent by its back-office code: a second attempt finds the first booking), then ONE commit: the operation
/// Done, the ledger's pending answer replaced by the final one, and on success the capture final and the journal's
/// row; a declined refund gives its amount back to the capture. Run by the call itself within
/// <c>BackOffice:SynchronousBookingTimeout</c> (<see cref="FinishAsync"/>), and by the <c>bookings</c> queue's worker
/// should the call not finish (<see cref="ProcessAsync"/>). A capture is never declined here: the money was reserved
/// (a funds reservation, a mandate), so a back-office refusal is a fault for an operator, not the customer's decline.
/// </summary>
public sealed partial class BookingWorker(OperationSteps steps, IBackOffice backOffice, DependencyBreakers breakers, MoneyJournal journal,
    IOptions<BackOfficeOptions> options, ILogger<BookingWorker> logger) : IBookingFinisher
{
    /// <summary>What one run came to.</summary>
    private abstract record Outcome
    {
        public sealed record Final(string Payload) : Outcome;
        public sealed record Fault(OperationRow Operation, string Problem) : Outcome;
        public sealed record Deferred(OperationRow Operation, TimeSpan RetryAfter) : Outcome;
        /// <summary>Parked for an operator, or gone.</summary>
        public sealed record Stopped(string Why) : Outcome;
    }

    public async Task<string> FinishAsync(WorkItem operation, CancellationToken cancellationToken)
    {
        using var bound = new CancellationTokenSource(options.Value.SynchronousBookingTimeout, steps.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, bound.Token);
        Outcome outcome;
        try
        {
            outcome = await RunAsync(operation, linked.Token);
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new AnswerPendingException($"the back-office booking took longer than {options.Value.SynchronousBookingTimeout.TotalSeconds:0.###} s; it goes on in the background");
        }
        return outcome switch
        {
            Outcome.Final f => f.Payload,
            Outcome.Fault f => throw new AnswerPendingException("the back-office booking failed: " + f.Problem),
            Outcome.Deferred => throw new AnswerPendingException("the back office is unavailable (its circuit breaker is open)"),
            Outcome.Stopped s => throw new AnswerPendingException(s.Why),
            _ => throw new InvalidOperationException("unknown outcome"),
        };
    }

    /// <summary>The <c>bookings</c> queue: a call that did not finish its booking (its message shows after the bounded wait).</summary>
    public async Task ProcessAsync(string message, CancellationToken cancellationToken)
    {
        var item = WorkItem.Parse(message);
        switch (await RunAsync(item, cancellationToken))
        {
            case Outcome.Fault f:
                await steps.RetryOrParkAsync(f.Operation, item, QueueNames.Bookings, new StepRecord("booking", steps.Now, "fault", f.Problem), cancellationToken);
                break;
            case Outcome.Deferred d:
                await steps.DeferAsync(d.Operation, item, QueueNames.Bookings, d.RetryAfter, cancellationToken);
                break;
        }
    }

    private async Task<Outcome> RunAsync(WorkItem item, CancellationToken cancellationToken)
    {
        var outcome = await CommitLoop.RunAsync<Outcome>(steps.Store.Transactions, async (_, ct) =>
        {
            var operation = await steps.ReadOperationAsync(item, ct);
            if (operation?.AnswerRow is not { } answerRow || operation.CaptureRequestId is not { } captureRequestId)
                return CommitDecision<Outcome>.Answer(new Outcome.Stopped("no such booking"));
            var rows = await steps.Store.ReadRowsAsync(item.Partition, [answerRow, Keys.CaptureRow(captureRequestId)], ct);
            if (!rows.TryGetValue(answerRow, out var entryRow) || !rows.TryGetValue(Keys.CaptureRow(captureRequestId), out var captureRow))
                return CommitDecision<Outcome>.Answer(new Outcome.Stopped("the booking's answer or capture is missing"));
            var entry = LedgerEntryRow.From(entryRow);
            if (!PendingAnswer.IsPending(entry.Payload)) return CommitDecision<Outcome>.Answer(new Outcome.Final(entry.Payload));
            if (operation.State != OperationStates.Pending)
                return CommitDecision<Outcome>.Answer(new Outcome.Stopped("the booking is parked for an operator"));

            var capture = CaptureRow.From(captureRow);
            BookingOutcome booked;
            try
            {
                var gated = await breakers.BackOffice.CallAsync(c => BookAsync(operation, c), ct);
                if (gated.Deferred) return CommitDecision<Outcome>.Answer(new Outcome.Deferred(operation, gated.RetryAfter!.Value));
                booked = gated.Value!;
            }
            catch (BackOfficeFaultException e)
            {
                return CommitDecision<Outcome>.Answer(new Outcome.Fault(operation, e.Message));
            }
            if (booked is BookingOutcome.Declined refused && operation.Kind == OperationKinds.CaptureBooking)
                return CommitDecision<Outcome>.Answer(new Outcome.Fault(operation, $"the back office refused the payment ({refused.BackOfficeCode}): {refused.Message}"));

            var now = steps.Now;
            var (result, payload, detail) = booked switch
            {
                BookingOutcome.Booked b => ("SUCCESS", PendingAnswer.Unwrap(entry.Payload), "booked " + b.BookingId),
                BookingOutcome.Declined d => (d.RefundResult, ResponseWriter.Payload(w => w.WriteString("result", d.RefundResult)),
                    $"declined by the back office ({d.BackOfficeCode}): {d.Message}"),
                _ => throw new InvalidOperationException("unknown booking outcome"),
            };
            var done = operation with
            {
                State = OperationStates.Done, Result = result, FinishedAt = now, UpdatedAt = now, DueAt = now,
                Attempts = OperationSteps.AppendStep(operation, new StepRecord("booking", now, result == "SUCCESS" ? "booked" : "declined", detail)),
                BookingId = booked is BookingOutcome.Booked ok ? ok.BookingId : operation.BookingId,
            };
            var actions = new List<TableTransactionAction>
            {
                new(TableTransactionActionType.UpdateMerge, done.FinishedMerge(), operation.ETag),
                new(TableTransactionActionType.UpdateMerge, entry.PayloadMerge(payload), entryRow.ETag),
            };
            if (booked is BookingOutcome.Booked)
            {
                if (operation.Kind == OperationKinds.CaptureBooking)
                    actions.Add(new(TableTransactionActionType.UpdateMerge, (capture with { Status = CaptureStatus.Captured }).StatusMerge(), capture.ETag));
                var movement = Movement(operation, entry, now, item.Partition);
                await journal.IndexAsync(movement, ct);
                actions.Add(MoneyJournal.Record(movement));
            }
            else
            {
                // A declined refund never happened: its amount is refundable again.
                var giveBack = capture with { RefundedMicros = capture.RefundedMicros - (operation.AmountMicros ?? 0) };
                actions.Add(new(TableTransactionActionType.UpdateMerge, giveBack.RefundedMerge(), capture.ETag));
            }
            // A conflict: another attempt (the call's retry, the worker) finished it, or a refund moved the capture: read again.
            return CommitDecision<Outcome>.Commit(actions, _ =>
            {
                LogFinished(logger, item.Partition, item.Row, result);
                return new Outcome.Final(payload);
            });
        }, "synchronous booking", steps.Time, cancellationToken);
        if (outcome is Outcome.Final) await steps.Outbox.RemoveAsync(item, ETag.All);
        return outcome;
    }

    private Task<BookingOutcome> BookAsync(OperationRow operation, CancellationToken cancellationToken)
    {
        var piaid = operation.PaymentIntegratorAccountId;
        var amount = operation.AmountMicros ?? 0;
        return operation.Kind == OperationKinds.CaptureBooking
            ? backOffice.BookPaymentAsync(new PaymentBooking(operation.BackOfficeCode!, piaid, amount, operation.CurrencyCode!,
                $"Google capture {operation.RequestId} ({operation.PaymentIntegratorTransactionId})"), cancellationToken)
            : backOffice.BookRefundAsync(new RefundBooking(operation.BackOfficeCode!, piaid, "", amount, operation.CurrencyCode!,
                operation.WholeRemaining ?? false, $"Google refund {operation.RequestId}")
                { PaymentBackOfficeCode = Operations.BackOfficeCode(piaid, operation.CaptureRequestId!) }, cancellationToken);
    }

    /// <summary>The journal's movement: the call's family is the one its ledger entry names ("e-wallets-v1.capture").</summary>
    private static MoneyMovement Movement(OperationRow operation, LedgerEntryRow entry, DateTimeOffset now, string partition)
    {
        var refund = operation.Kind == OperationKinds.RefundBooking;
        return new MoneyMovement(operation.PaymentIntegratorAccountId, operation.RequestId, operation.PaymentIntegratorTransactionId!,
            refund ? MoneyMovementKind.Refund : MoneyMovementKind.Capture, operation.AmountMicros ?? 0, operation.CurrencyCode!, now,
            entry.Method[..entry.Method.IndexOf('.', StringComparison.Ordinal)], partition)
        { CaptureRequestId = refund ? operation.CaptureRequestId : null };
    }

    [LoggerMessage(69, LogLevel.Information, "synchronous booking {Partition}/{Row}: final result {Result}")]
    private static partial void LogFinished(ILogger logger, string partition, string row, string result);
}
