using System.Text.Json.Serialization.Metadata;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Storage;

namespace Payments.Core.Transactions;

/// <summary>docs/protocol.md §6: active → cancelled, SUCCESS; expired or already cancelled → SUCCESS;
/// unknown → 404. The mandate is found by mandateId, or by the createMandate requestId.</summary>
internal sealed class CancelMandateV1Handler(IdempotencyLedger ledger, TransactionStore store) : ProtocolHandler<CancelMandateV1Request, string>
{
    private static readonly string Success = ResponseWriter.Payload(w => w.WriteString("result", "SUCCESS"));

    public override ProtocolMethod Method => ProtocolMethods.CancelMandateV1;
    protected override JsonTypeInfo<CancelMandateV1Request> TypeInfo => ProtocolJsonContext.Default.CancelMandateV1Request;

    protected override void CollectMissing(CancelMandateV1Request r, List<string> missing) => Require(missing, r.MandateId, "mandateId");

    /// <returns>the mandateId</returns>
    protected override string Validate(CancelMandateV1Request r) => ValidateExternalId(r.MandateId, "mandateId");

    protected override async Task<string> ExecuteAsync(ProtocolCall call, string mandateId, CancellationToken cancellationToken)
    {
        var piaid = call.Account;
        var direct = Keys.MandatePartition(piaid, mandateId);
        try
        {
            return await CancelAsync(call, direct, cancellationToken);
        }
        catch (ProtocolException e) when (e.Error.Code == ErrorCode.InvalidIdentifier && RequestRules.IsValidRequestId(mandateId))
        {
            // The protocol calls mandateId "the requestId of the createMandate call": the marker of that
            // call names the mandate. Only this rare path costs the extra reads.
            var markerPartition = Keys.MarkerPartition(piaid, mandateId);
            var marker = await store.Requests.GetOrNullAsync(markerPartition, Keys.MarkerRow(markerPartition, Keys.MethodKey(ProtocolMethods.CreateMandateV1)), MarkerRow.AnchorSelect, cancellationToken);
            if (MarkerRow.AnchorOf(marker) is { } anchor && anchor != direct) return await CancelAsync(call, anchor, cancellationToken);
            throw;
        }
    }

    private Task<string> CancelAsync(ProtocolCall call, string partition, CancellationToken cancellationToken) =>
        ledger.ExecuteAsync(
            IdempotentRequest.For(call, partition, needsMarker: true),
            (snapshot, _) =>
            {
                var state = MandateRow.From(snapshot.State ?? throw ProtocolException.UnknownIdentifier("MANDATE_ID", "mandateId does not name a mandate of this account"));
                if (state.Status == MandateStatus.Cancelled || state.IsExpired(snapshot.Now)) return ValueTask.FromResult(CommitPlan.Answer(Success));
                var cancelled = state with { Status = MandateStatus.Cancelled, CancelledAt = snapshot.Now };
                return ValueTask.FromResult(new CommitPlan(Success, [new TableTransactionAction(TableTransactionActionType.UpdateMerge, cancelled.CancelledMerge(), state.ETag)], []));
            },
            cancellationToken);
}
