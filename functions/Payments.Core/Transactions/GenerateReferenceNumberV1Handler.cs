using System.Text.Json.Serialization.Metadata;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;

namespace Payments.Core.Transactions;

internal sealed class GenerateReferenceNumberV1Handler(IdempotencyLedger ledger, ReferenceNumberIssuer issuer) : ProtocolHandler<GenerateReferenceNumberV1Request>
{
    public override ProtocolMethod Method => ProtocolMethods.GenerateReferenceNumberV1;
    protected override JsonTypeInfo<GenerateReferenceNumberV1Request> TypeInfo => ProtocolJsonContext.Default.GenerateReferenceNumberV1Request;

    protected override void CollectMissing(GenerateReferenceNumberV1Request r, List<string> missing)
    {
        Require(missing, r.TransactionDescription, "transactionDescription");
        RequireFlatAmount(missing, r.CurrencyCode, r.Amount);
    }

    protected override void ValidateFields(GenerateReferenceNumberV1Request r)
    {
        ValidateText(r.TransactionDescription, "transactionDescription");
        ValidateFlatAmount(r.CurrencyCode!, r.Amount!.Value);
    }

    protected override Task<string> ExecuteAsync(ProtocolCall call, GenerateReferenceNumberV1Request r, CancellationToken cancellationToken) =>
        ledger.ExecuteAsync(
            IdempotentRequest.For(call, Keys.ReferenceNumberPartition(call.PaymentIntegratorAccountId!, call.RequestId), needsMarker: false),
            (snapshot, ct) => new ValueTask<CommitPlan>(issuer.IssueAsync(call, snapshot, r.Amount!.Value, r.CurrencyCode!, r.TransactionDescription!,
                number => ResponseWriter.Payload(w =>
                {
                    w.WriteStartObject("displayableReferenceNumber");
                    w.WriteStartObject("barcodeWithPrintableString");
                    w.WriteString("printableString", number);
                    w.WriteString("barcodeContents", number);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }), ct)),
            cancellationToken);
}
