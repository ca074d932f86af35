using System.Text.Json.Serialization.Metadata;
using Azure.Data.Tables;
using Payments.Core.Idempotency;
using Payments.Core.Journal;
using Payments.Core.Protocol;

namespace Payments.Core.Transactions;

/// <summary>docs/protocol.md §6: captures a funds reservation once, for at most its amount (the remainder is
/// released); Reserved → Captured under the reservation's ETag, so a capture and a cancelFundsReservation (or a
/// second capture) racing on one reservation: exactly one wins.</summary>
internal sealed class CaptureFundsReservationV1Handler(IdempotencyLedger ledger, SynchronousMoney money)
    : ProtocolHandler<CaptureFundsReservationV1Request, CaptureFundsReservationV1Handler.Capture>
{
    /// <summary>A validated capture: <paramref name="AmountMicros"/> of the reservation made by <paramref name="ReserveRequestId"/>.</summary>
    public sealed record Capture(string ReserveRequestId, long AmountMicros);

    public override ProtocolMethod Method => ProtocolMethods.CaptureFundsReservationV1;
    protected override JsonTypeInfo<CaptureFundsReservationV1Request> TypeInfo => ProtocolJsonContext.Default.CaptureFundsReservationV1Request;

    protected override void CollectMissing(CaptureFundsReservationV1Request r, List<string> missing)
    {
        Require(missing, r.ReserveFundsRequestId, "reserveFundsRequestId");
        if (r.Amount is null) missing.Add("amount");
    }

    protected override Capture Validate(CaptureFundsReservationV1Request r)
    {
        var reserveRequestId = ValidateRequestIdReference(r.ReserveFundsRequestId, "reserveFundsRequestId");
        var amount = Present(r.Amount, "amount");
        ValidatePositive(amount, "amount");
        return new(reserveRequestId, amount);
    }

    protected override async Task<string> ExecuteAsync(ProtocolCall call, Capture capture, CancellationToken cancellationToken)
    {
        var piaid = call.Account;
        var partition = Keys.FundsReservationPartition(piaid, capture.ReserveRequestId);
        var captureId = MoneyIds.CaptureId(piaid, call.RequestId);
        var ledgerRow = Keys.LedgerRow(Keys.MethodKey(Method), call.RequestId);
        var payload = ResponseWriter.Payload(w =>
        {
            w.WriteString("result", "SUCCESS");
            w.WriteString("paymentIntegratorCaptureId", captureId);
        });
        var answer = await ledger.ExecuteAsync(
            IdempotentRequest.For(call, partition, needsMarker: true),
            (snapshot, _) =>
            {
                var state = FundsReservationRow.From(snapshot.State ?? throw ProtocolException.UnknownIdentifier("RESERVE_FUNDS_REQUEST_ID",
                    "reserveFundsRequestId does not name a funds reservation of this account"));
                switch (state.Status)
                {
                    case FundsReservationStatus.Captured:
                        throw ProtocolException.Precondition("the funds reservation was captured already; a reservation is captured once");
                    case FundsReservationStatus.Cancelled:
                        throw ProtocolException.Precondition("the funds reservation was cancelled");
                }
                if (state.IsExpired(snapshot.Now)) throw ProtocolException.Precondition("the funds reservation has expired");
                if (capture.AmountMicros > state.AmountMicros) throw ProtocolException.Precondition("amount exceeds the reserved amount");

                var captured = state with { Status = FundsReservationStatus.Captured, CaptureRequestId = call.RequestId, CapturedAt = snapshot.Now };
                var row = new CaptureRow(partition, call.RequestId, CaptureStatus.Pending, piaid, captureId, MoneyIds.Api(Method),
                    capture.AmountMicros, state.CurrencyCode, 0, snapshot.Now);
                var movement = new MoneyMovement(piaid, call.RequestId, captureId, MoneyMovementKind.Capture, capture.AmountMicros, state.CurrencyCode,
                    snapshot.Now, MoneyIds.Api(Method), partition);
                return ValueTask.FromResult(money.Plan(new MoneyDecision(payload,
                    [new TableTransactionAction(TableTransactionActionType.UpdateMerge, captured.CapturedMerge(), state.ETag)],
                    row, movement, new MoneyBooking(OperationKinds.CaptureBooking, call.RequestId)), ledgerRow, snapshot.Now));
            },
            cancellationToken);
        return await money.FinishAsync(answer, partition, call.RequestId, cancellationToken);
    }
}
