using System.Text.Json.Serialization.Metadata;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;

namespace Payments.Core.Transactions;

internal sealed class GenerateReferenceNumberV2Handler(IdempotencyLedger ledger, ReferenceNumberIssuer issuer) : ProtocolHandler<GenerateReferenceNumberV2Request>
{
    public override ProtocolMethod Method => ProtocolMethods.GenerateReferenceNumberV2;
    protected override JsonTypeInfo<GenerateReferenceNumberV2Request> TypeInfo => ProtocolJsonContext.Default.GenerateReferenceNumberV2Request;

    protected override void CollectMissing(GenerateReferenceNumberV2Request r, List<string> missing)
    {
        Require(missing, r.TransactionDescription, "transactionDescription");
        RequireAmount(missing, r.Amount, "amount");
    }

    protected override void ValidateFields(GenerateReferenceNumberV2Request r)
    {
        ValidateText(r.TransactionDescription, "transactionDescription");
        ValidateAmount(r.Amount!, "amount");
    }

    protected override Task<string> ExecuteAsync(ProtocolCall call, GenerateReferenceNumberV2Request r, CancellationToken cancellationToken) =>
        ledger.ExecuteAsync(
            IdempotentRequest.For(call, Keys.ReferenceNumberPartition(call.PaymentIntegratorAccountId!, call.RequestId), needsMarker: false),
            (snapshot, ct) => new ValueTask<CommitPlan>(issuer.IssueAsync(call, snapshot, r.Amount!.AmountMicros!.Value, r.Amount.CurrencyCode!, r.TransactionDescription!,
                number => ResponseWriter.Payload(w =>
                {
                    w.WriteStartObject("result");
                    w.WriteStartObject("success");
                    w.WriteStartObject("displayableReferenceNumber");
                    w.WriteStartObject("barcodeWithPrintableString");
                    w.WriteString("printableString", number);
                    w.WriteString("barcodeContents", number);
                    w.WriteEndObject();
                    w.WriteEndObject();
                    w.WriteEndObject();
                    w.WriteEndObject();
                }), ct)),
            cancellationToken);
}
