using System.Text.Json.Serialization.Metadata;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;

namespace Payments.Core.Transactions;

/// <summary>asynchronousRefund v1: the payment is named by generateReferenceNumberRequestId (or captureRequestId,
/// docs/protocol.md §6); numbers of either version are refunded (as before v2 had the method).</summary>
internal sealed class AsynchronousRefundV1Handler(IdempotencyLedger ledger) : AsynchronousRefundHandler<AsynchronousRefundV1Request>(ledger)
{
    public override ProtocolMethod Method => ProtocolMethods.AsynchronousRefundV1;
    protected override JsonTypeInfo<AsynchronousRefundV1Request> TypeInfo => ProtocolJsonContext.Default.AsynchronousRefundV1Request;
    protected override ProtocolMethod Notification => GoogleMethods.RefundResultNotificationV1;
    protected override (string Field, string IdentifierType) Target => ("generateReferenceNumberRequestId", "GENERATE_REFERENCE_NUMBER_REQUEST_ID");

    protected override void CollectMissing(AsynchronousRefundV1Request r, List<string> missing)
    {
        if (string.IsNullOrEmpty(r.GenerateReferenceNumberRequestId) && string.IsNullOrEmpty(r.CaptureRequestId))
            missing.Add("generateReferenceNumberRequestId");
        RequireAmount(missing, r.RefundAmount, "refundAmount");
    }

    protected override Refund Validate(AsynchronousRefundV1Request r)
    {
        var target = string.IsNullOrEmpty(r.GenerateReferenceNumberRequestId) ? r.CaptureRequestId : r.GenerateReferenceNumberRequestId;
        return new(ValidateRequestIdReference(target, "generateReferenceNumberRequestId"), ValidateAmount(r.RefundAmount, "refundAmount"));
    }
}
