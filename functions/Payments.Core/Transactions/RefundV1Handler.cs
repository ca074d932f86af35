using System.Text.Json.Serialization.Metadata;
using Azure.Data.Tables;
using Payments.Core.Idempotency;
using Payments.Core.Journal;
using Payments.Core.Protocol;
using Payments.Core.Storage;

namespace Payments.Core.Transactions;

/// <summary>docs/protocol.md §6: the synchronous refund of redirect-payment-token v1 and e-wallets v1 (one logic,
/// two methods). Full or partial, each under its own requestId; the capture row's <c>RefundedMicros</c> moves under
/// its ETag, so the refunds that succeed never sum above the captured amount, however many run at once.</summary>
internal sealed class RefundV1Handler(ProtocolMethod method, IdempotencyLedger ledger, TransactionStore store, SynchronousMoney money)
    : ProtocolHandler<RefundV1Request, RefundV1Handler.Refund>
{
    /// <summary>A validated refund: <paramref name="Amount"/> of the capture made by <paramref name="CaptureRequestId"/>.</summary>
    public sealed record Refund(string CaptureRequestId, Money Amount);

    public override ProtocolMethod Method => method;
    protected override JsonTypeInfo<RefundV1Request> TypeInfo => ProtocolJsonContext.Default.RefundV1Request;

    /// <summary>The capture method of the refund's family: a captureRequestId is the requestId of its call.</summary>
    private ProtocolMethod CaptureMethod => method == ProtocolMethods.RefundRedirectV1 ? ProtocolMethods.CaptureFundsReservationV1 : ProtocolMethods.CaptureEWalletsV1;

    protected override void CollectMissing(RefundV1Request r, List<string> missing)
    {
        Require(missing, r.CaptureRequestId, "captureRequestId");
        Require(missing, r.CurrencyCode, "currencyCode");
        if (r.RefundAmount is null) missing.Add("refundAmount");
    }

    protected override Refund Validate(RefundV1Request r)
    {
        var captureRequestId = ValidateRequestIdReference(r.CaptureRequestId, "captureRequestId");
        var amount = new Money(Present(r.RefundAmount, "refundAmount"), Present(r.CurrencyCode, "currencyCode"));
        ValidateCurrency(amount.CurrencyCode, "currencyCode");
        ValidatePositive(amount.Micros, "refundAmount");
        return new(captureRequestId, amount);
    }

    protected override async Task<string> ExecuteAsync(ProtocolCall call, Refund refund, CancellationToken cancellationToken)
    {
        var piaid = call.Account;
        var partition = await CapturePartitionAsync(piaid, refund.CaptureRequestId, cancellationToken);
        var captureRow = Keys.CaptureRow(refund.CaptureRequestId);
        var refundId = MoneyIds.RefundId(piaid, call.RequestId);
        var ledgerRow = Keys.LedgerRow(Keys.MethodKey(method), call.RequestId);
        var payload = ResponseWriter.Payload(w =>
        {
            w.WriteString("result", "SUCCESS");
            w.WriteString("paymentIntegratorRefundId", refundId);
        });
        var (amount, currency) = (refund.Amount.Micros, refund.Amount.CurrencyCode);
        var answer = await ledger.ExecuteAsync(
            IdempotentRequest.For(call, partition, needsMarker: true) with { ExtraRows = [captureRow] },
            (snapshot, _) =>
            {
                if (!snapshot.Rows.TryGetValue(captureRow, out var found) || CaptureRow.From(found) is not { } capture
                    || capture.PaymentIntegratorAccountId != piaid || capture.Api != MoneyIds.Api(method) || capture.Status == CaptureStatus.Declined)
                    throw ProtocolException.UnknownIdentifier("CAPTURE_REQUEST_ID", "captureRequestId does not name a capture of this account");
                if (capture.Status != CaptureStatus.Captured)
                    throw ProtocolException.Precondition("the capture is not final yet; retry later");
                if (capture.CurrencyCode != currency)
                    throw ProtocolException.Precondition("currencyCode differs from the capture's currency");
                if (amount > capture.RemainingMicros)
                    throw ProtocolException.Precondition("refundAmount exceeds the amount of the capture not refunded yet");

                var refunded = capture with { RefundedMicros = capture.RefundedMicros + amount };
                var movement = new MoneyMovement(piaid, call.RequestId, refundId, MoneyMovementKind.Refund, amount, currency, snapshot.Now,
                    MoneyIds.Api(method), partition) { CaptureRequestId = refund.CaptureRequestId };
                return ValueTask.FromResult(money.Plan(new MoneyDecision(payload,
                    [new TableTransactionAction(TableTransactionActionType.UpdateMerge, refunded.RefundedMerge(), capture.ETag)],
                    null, movement,
                    new MoneyBooking(OperationKinds.RefundBooking, refund.CaptureRequestId, WholeRemaining: capture.RefundedMicros == 0 && amount == capture.AmountMicros)),
                    ledgerRow, snapshot.Now));
            },
            cancellationToken);
        return await money.FinishAsync(answer, partition, call.RequestId, cancellationToken);
    }

    /// <summary>The partition that holds the capture: the one its call's marker names (every capture call claims
    /// one). One read; none: no such capture.</summary>
    private async Task<string> CapturePartitionAsync(string piaid, string captureRequestId, CancellationToken cancellationToken)
    {
        var markerPartition = Keys.MarkerPartition(piaid, captureRequestId);
        var marker = await store.Requests.GetOrNullAsync(markerPartition, Keys.MarkerRow(markerPartition, Keys.MethodKey(CaptureMethod)),
            MarkerRow.AnchorSelect, cancellationToken);
        return MarkerRow.AnchorOf(marker)
            ?? throw ProtocolException.UnknownIdentifier("CAPTURE_REQUEST_ID", "captureRequestId does not name a capture of this account");
    }
}
