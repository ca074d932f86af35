using System.Text.Json.Serialization.Metadata;
using Payments.Core.Hosting;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;
using Azure;
using Azure.Data.Tables;

namespace Payments.Core.Transactions;

/// <summary>docs/protocol.md §6: against a paid reference number; currency must match; 0 &lt; amount ≤
/// remaining balance, reserved atomically with the acknowledgement; finished asynchronously.</summary>
internal sealed class AsynchronousRefundV1Handler(IdempotencyLedger ledger) : ProtocolHandler<AsynchronousRefundV1Request>
{
    private static readonly string Acknowledged = ResponseWriter.Payload(w => { w.WriteStartObject("result"); w.WriteStartObject("acknowledged"); w.WriteEndObject(); w.WriteEndObject(); });

    public override ProtocolMethod Method => ProtocolMethods.AsynchronousRefundV1;
    protected override JsonTypeInfo<AsynchronousRefundV1Request> TypeInfo => ProtocolJsonContext.Default.AsynchronousRefundV1Request;

    protected override void CollectMissing(AsynchronousRefundV1Request r, List<string> missing)
    {
        if (string.IsNullOrEmpty(r.GenerateReferenceNumberRequestId) && string.IsNullOrEmpty(r.CaptureRequestId))
            missing.Add("generateReferenceNumberRequestId");
        RequireAmount(missing, r.RefundAmount, "refundAmount");
    }

    protected override void ValidateFields(AsynchronousRefundV1Request r)
    {
        ValidateRequestIdReference(Target(r), "generateReferenceNumberRequestId");
        ValidateAmount(r.RefundAmount!, "refundAmount");
    }

    private static string Target(AsynchronousRefundV1Request r) =>
        string.IsNullOrEmpty(r.GenerateReferenceNumberRequestId) ? r.CaptureRequestId! : r.GenerateReferenceNumberRequestId;

    protected override Task<string> ExecuteAsync(ProtocolCall call, AsynchronousRefundV1Request r, CancellationToken cancellationToken)
    {
        var piaid = call.PaymentIntegratorAccountId!;
        var partition = Keys.ReferenceNumberPartition(piaid, Target(r));
        var amount = r.RefundAmount!.AmountMicros!.Value;
        var currency = r.RefundAmount.CurrencyCode!;
        var operationRow = Keys.OperationRow(call.RequestId);
        return ledger.ExecuteAsync(
            IdempotentRequest.For(call, partition, needsMarker: true),
            (snapshot, _) =>
            {
                var state = ReferenceNumberRow.From(snapshot.State ?? throw ProtocolException.UnknownIdentifier("GENERATE_REFERENCE_NUMBER_REQUEST_ID",
                    "generateReferenceNumberRequestId does not name a reference number of this account"));
                if (state.Status != ReferenceNumberStatus.Paid)
                    throw ProtocolException.Precondition("the reference number has not been paid; there is nothing to refund");
                if (state.CurrencyCode != currency)
                    throw ProtocolException.Precondition("refundAmount.currencyCode differs from the payment's currency");
                var (paid, refunded) = (state.PaidMicros, state.RefundedMicros);
                if (amount > paid - refunded)
                    throw ProtocolException.Precondition($"refundAmount exceeds the remaining refundable balance");

                var balance = state with { RefundedMicros = refunded + amount, UpdatedAt = snapshot.Now };
                var operation = Operations.New(partition, operationRow, OperationKinds.Refund, piaid, call.RequestId, QueueNames.Refunds,
                    GoogleMethods.RefundResultNotificationV1, snapshot.Now) with
                {
                    AmountMicros = amount,
                    CurrencyCode = currency,
                    ReferenceNumber = state.ReferenceNumber,
                    // Whole remaining balance → the back office cancels the posted payment; else a refund booking.
                    WholeRemaining = refunded == 0 && amount == paid,
                    BackOfficeCode = Operations.BackOfficeCode(piaid, call.RequestId),
                };
                return ValueTask.FromResult(new CommitPlan(Acknowledged,
                    [
                        new TableTransactionAction(TableTransactionActionType.UpdateMerge, balance.RefundedMerge(), state.ETag),
                        new TableTransactionAction(TableTransactionActionType.Add, operation.ToEntity()),
                    ],
                    [new OutboxMessage(QueueNames.Refunds, new WorkItem(partition, operationRow))]));
            },
            cancellationToken);
    }
}
