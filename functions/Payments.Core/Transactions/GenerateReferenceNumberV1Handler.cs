using System.Security.Cryptography;
using System.Text.Json.Serialization.Metadata;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;
using Azure;
using Azure.Data.Tables;

namespace Payments.Core.Transactions;

internal sealed class GenerateReferenceNumberV1Handler(IdempotencyLedger ledger, ReferenceNumberIssuer issuer) : ProtocolHandler<GenerateReferenceNumberV1Request, ReferenceNumberIssuer.Voucher>
{
    public override ProtocolMethod Method => ProtocolMethods.GenerateReferenceNumberV1;
    protected override JsonTypeInfo<GenerateReferenceNumberV1Request> TypeInfo => ProtocolJsonContext.Default.GenerateReferenceNumberV1Request;

    protected override void CollectMissing(GenerateReferenceNumberV1Request r, List<string> missing)
    {
        Require(missing, r.TransactionDescription, "transactionDescription");
        RequireFlatAmount(missing, r.CurrencyCode, r.Amount);
    }

    protected override ReferenceNumberIssuer.Voucher Validate(GenerateReferenceNumberV1Request r)
    {
        ValidateText(r.TransactionDescription, "transactionDescription");
        var amount = ValidateFlatAmount(r.CurrencyCode, r.Amount);
        return new(Present(r.TransactionDescription, "transactionDescription"), amount);
    }

    protected override Task<string> ExecuteAsync(ProtocolCall call, ReferenceNumberIssuer.Voucher voucher, CancellationToken cancellationToken) =>
        ledger.ExecuteAsync(
            IdempotentRequest.For(call, Keys.ReferenceNumberPartition(call.Account, call.RequestId), needsMarker: false),
            (snapshot, ct) => new ValueTask<CommitPlan>(issuer.IssueAsync(call, snapshot, voucher,
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
