using System.Security.Cryptography;
using System.Text.Json.Serialization.Metadata;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;
using Azure;
using Azure.Data.Tables;

namespace Payments.Core.Transactions;

/// <summary>docs/protocol.md §6: unpaid and active → cancelled; already cancelled or expired →
/// success; paid → referenceNumberAlreadyPaid; unknown → 404.</summary>
internal sealed class CancelReferenceNumberV2Handler(IdempotencyLedger ledger) : ProtocolHandler<CancelReferenceNumberV2Request, string>
{
    private static readonly string Success = ResponseWriter.Payload(w => { w.WriteStartObject("result"); w.WriteStartObject("success"); w.WriteEndObject(); w.WriteEndObject(); });
    private static readonly string AlreadyPaid = ResponseWriter.Payload(w => { w.WriteStartObject("result"); w.WriteStartObject("referenceNumberAlreadyPaid"); w.WriteEndObject(); w.WriteEndObject(); });

    public override ProtocolMethod Method => ProtocolMethods.CancelReferenceNumberV2;
    protected override JsonTypeInfo<CancelReferenceNumberV2Request> TypeInfo => ProtocolJsonContext.Default.CancelReferenceNumberV2Request;

    protected override void CollectMissing(CancelReferenceNumberV2Request r, List<string> missing) =>
        Require(missing, r.GenerateReferenceNumberRequestId, "generateReferenceNumberRequestId");

    /// <returns>the generateReferenceNumberRequestId</returns>
    protected override string Validate(CancelReferenceNumberV2Request r) =>
        ValidateRequestIdReference(r.GenerateReferenceNumberRequestId, "generateReferenceNumberRequestId");

    protected override Task<string> ExecuteAsync(ProtocolCall call, string generateRequestId, CancellationToken cancellationToken)
    {
        var partition = Keys.ReferenceNumberPartition(call.Account, generateRequestId);
        return ledger.ExecuteAsync(
            IdempotentRequest.For(call, partition, needsMarker: true),
            (snapshot, _) =>
            {
                var state = ReferenceNumberRow.From(snapshot.State ?? throw ProtocolException.UnknownIdentifier("GENERATE_REFERENCE_NUMBER_REQUEST_ID",
                    "generateReferenceNumberRequestId does not name a reference number of this account"));
                var (alreadyPaid, writes) = ReferenceNumberCancellation.Decide(state, snapshot.Now);
                return ValueTask.FromResult(new CommitPlan(alreadyPaid ? AlreadyPaid : Success, writes, []));
            },
            cancellationToken);
    }
}
