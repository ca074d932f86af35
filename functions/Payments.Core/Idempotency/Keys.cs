using System.Text;
using Payments.Core.Storage;

namespace Payments.Core.Idempotency;

/// <summary>
/// Storage keys (docs/storage.md). One partition of the <c>transactions</c> table per transaction,
/// named after the id Google uses to refer to it, so that a state change, its idempotency ledger
/// entry and its outbox entry share a partition and commit in one entity group transaction.
/// <remarks>
/// Row keys that would otherwise be the same in every partition (<c>state</c>, <c>op|paid</c>,
/// <c>index</c>, a marker's method) carry a short digest of their partition. Azure does not care,
/// but Azurite finds an entity by its row key first and then scans every entity sharing it: with
/// one <c>state</c> row per transaction each point read cost time linear in the table's size.
/// </remarks>
public static class Keys
{
    /// <summary>The transaction itself.</summary>
    public static string StateRow(string partition) => "state|" + Digest(partition);

    /// <summary>A reference number, found by the requestId of the generateReferenceNumber call.</summary>
    public static string ReferenceNumberPartition(string piaid, string generateRequestId) => $"{piaid}|rn|{TableKeys.Escape(generateRequestId)}";
    /// <summary>A funds reservation, found by the requestId of the reserveFunds call.</summary>
    public static string FundsReservationPartition(string piaid, string reserveRequestId) => $"{piaid}|rf|{TableKeys.Escape(reserveRequestId)}";
    /// <summary>A mandate, found by its Google-generated mandateId.</summary>
    public static string MandatePartition(string piaid, string mandateId) => $"{piaid}|md|{TableKeys.Escape(mandateId)}";

    /// <summary>A token capture (e-wallets v1 capture with a googlePaymentToken), found by the capture's own requestId.</summary>
    public static string CapturePartition(string piaid, string captureRequestId) => $"{piaid}|cp|{TableKeys.Escape(captureRequestId)}";
    /// <summary>A capture inside its transaction's partition (a reservation's, a mandate's or its own).</summary>
    public static string CaptureRow(string captureRequestId) => $"cap|{captureRequestId}";

    /// <summary>The idempotency ledger entry of one call inside its transaction's partition.</summary>
    public static string LedgerRow(string methodKey, string requestId) => $"req|{methodKey}|{requestId}";
    /// <summary>The asynchronous operation (outbox entry) a call started.</summary>
    public static string OperationRow(string requestId) => $"op|{requestId}";
    /// <summary>The operation a store payment started (the paid notification).</summary>
    public static string PaymentOperationRow(string partition) => "op|paid|" + Digest(partition);

    /// <summary>The idempotency marker of a call that acts on an existing transaction: it pins the
    /// requestId to one transaction and body across partitions (table <c>requests</c>).</summary>
    public static string MarkerPartition(string piaid, string requestId) => $"{piaid}|{requestId}";
    public static string MarkerRow(string markerPartition, string methodKey) => $"{methodKey}|{Digest(markerPartition)}";
    /// <summary>Reference number → transaction partition (table <c>requests</c>).</summary>
    public static string ReferenceNumberIndexPartition(string piaid, string referenceNumber) => $"refnum|{piaid}|{TableKeys.Escape(referenceNumber)}";
    public static string IndexRow(string indexPartition) => "index|" + Digest(indexPartition);
    /// <summary>Every index row key lies in [<see cref="IndexRowsFrom"/>, <see cref="IndexRowsTo"/>).</summary>
    public const string IndexRowsFrom = "index|", IndexRowsTo = "index}";

    /// <summary>"refundable-one-time-payment-code-v1.asynchronousRefund": unique per method, valid in a key.</summary>
    public static string MethodKey(Protocol.ProtocolMethod method) => $"{method.Api}-v{method.Version}.{method.Name}";

    /// <summary>16 hex digits of the key's SHA-256: enough to tell partitions apart in an index, and short.</summary>
    private static string Digest(string key)
    {
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return Convert.ToHexStringLower(hash[..8]);
    }
}
