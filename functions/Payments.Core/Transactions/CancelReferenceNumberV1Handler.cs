using System.Text.Json.Serialization.Metadata;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;

namespace Payments.Core.Transactions;

/// <summary>docs/protocol.md §6: the number is found by its reference number (the index in table requests), then
/// the v2 rule: unpaid and active → cancelled, SUCCESS; already cancelled or expired → SUCCESS; paid →
/// REFERENCE_NUMBER_ALREADY_PAID; unknown, or a number generated through v2 → 404.</summary>
internal sealed class CancelReferenceNumberV1Handler(IdempotencyLedger ledger, TransactionStore store) : ProtocolHandler<CancelReferenceNumberV1Request, string>
{
    private static readonly string Success = ResponseWriter.Payload(w => w.WriteString("result", "SUCCESS"));
    private static readonly string AlreadyPaid = ResponseWriter.Payload(w => w.WriteString("result", "REFERENCE_NUMBER_ALREADY_PAID"));

    public override ProtocolMethod Method => ProtocolMethods.CancelReferenceNumberV1;
    protected override JsonTypeInfo<CancelReferenceNumberV1Request> TypeInfo => ProtocolJsonContext.Default.CancelReferenceNumberV1Request;

    protected override void CollectMissing(CancelReferenceNumberV1Request r, List<string> missing) => Require(missing, r.ReferenceNumber, "referenceNumber");

    /// <returns>the reference number</returns>
    protected override string Validate(CancelReferenceNumberV1Request r) => ValidateExternalId(r.ReferenceNumber, "referenceNumber");

    protected override async Task<string> ExecuteAsync(ProtocolCall call, string referenceNumber, CancellationToken cancellationToken)
    {
        var index = await ReferenceNumberIndexRow.ReadAsync(store.Requests, call.Account, referenceNumber, cancellationToken);
        var partition = ReferenceNumberIndexRow.AnchorOf(index) ?? throw Unknown();
        return await ledger.ExecuteAsync(
            IdempotentRequest.For(call, partition, needsMarker: true),
            (snapshot, _) =>
            {
                var state = snapshot.State is { } row ? ReferenceNumberRow.From(row) : throw Unknown();
                // The index may point at a generate call that lost its commit and never issued the number; and the
                // families are separate APIs: a number issued through v2 is not one v1 knows.
                if (state.ReferenceNumber != referenceNumber || state.Version != Method.Version) throw Unknown();
                var (alreadyPaid, writes) = ReferenceNumberCancellation.Decide(state, snapshot.Now);
                return ValueTask.FromResult(new CommitPlan(alreadyPaid ? AlreadyPaid : Success, writes, []));
            },
            cancellationToken);
    }

    private static ProtocolException Unknown() =>
        ProtocolException.UnknownIdentifier("REFERENCE_NUMBER", "referenceNumber does not name a reference number this account generated through v1");
}
