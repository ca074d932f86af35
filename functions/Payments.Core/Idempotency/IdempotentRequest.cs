using Microsoft.Extensions.Logging;
using Payments.Core.Protocol;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Transactions;

namespace Payments.Core.Idempotency;

/// <summary>One mutating call as the ledger sees it (docs/protocol.md §5).</summary>
/// <param name="Partition">the transaction partition the call acts on</param>
/// <param name="NeedsMarker">true when the partition is not derived from the call's own requestId
/// (cancel, refund, createMandate): a marker then pins the key to one transaction and body.</param>
/// <param name="ExtraRows">other rows of the partition the decision needs to see</param>
public sealed record IdempotentRequest(
    string PaymentIntegratorAccountId,
    string MethodKey,
    string RequestId,
    string Fingerprint,
    string Partition,
    bool NeedsMarker,
    IReadOnlyList<string>? ExtraRows = null)
{
    /// <summary>The ledger's view of a validated protocol call acting on <paramref name="partition"/>.</summary>
    public static IdempotentRequest For(ProtocolCall call, string partition, bool needsMarker) =>
        new(call.Account, Keys.MethodKey(call.Method), call.RequestId, call.Fingerprint, partition, needsMarker);
}
