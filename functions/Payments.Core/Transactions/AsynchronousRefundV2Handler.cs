using System.Text.Json.Serialization.Metadata;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;

namespace Payments.Core.Transactions;

/// <summary>asynchronousRefund v2: the payment is named by transactionId, the requestId of the generateReferenceNumber
/// v2 call; a number generated through v1 is unknown here (docs/protocol.md, "Decisions: cancel v1, refund v2").</summary>
internal sealed class AsynchronousRefundV2Handler(IdempotencyLedger ledger) : AsynchronousRefundHandler<AsynchronousRefundV2Request>(ledger)
{
    public override ProtocolMethod Method => ProtocolMethods.AsynchronousRefundV2;
    protected override JsonTypeInfo<AsynchronousRefundV2Request> TypeInfo => ProtocolJsonContext.Default.AsynchronousRefundV2Request;
    protected override ProtocolMethod Notification => GoogleMethods.RefundResultNotificationV2;
    protected override (string Field, string IdentifierType) Target => ("transactionId", "TRANSACTION_ID");

    protected override bool Knows(ReferenceNumberRow state) => state.Version == Method.Version;

    protected override void CollectMissing(AsynchronousRefundV2Request r, List<string> missing)
    {
        Require(missing, r.TransactionId, "transactionId");
        RequireAmount(missing, r.RefundAmount, "refundAmount");
    }

    protected override Refund Validate(AsynchronousRefundV2Request r) =>
        new(ValidateRequestIdReference(r.TransactionId, "transactionId"), ValidateAmount(r.RefundAmount, "refundAmount"));
}
