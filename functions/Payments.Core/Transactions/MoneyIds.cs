using System.Security.Cryptography;
using System.Text;

namespace Payments.Core.Transactions;

/// <summary>Our ids for synchronous money movements: derived from (PIAID, requestId), so every attempt of a call,
/// on any instance, answers the same id (docs/protocol.md §12).</summary>
public static class MoneyIds
{
    /// <summary>paymentIntegratorCaptureId of a captureFundsReservation.</summary>
    public static string CaptureId(string piaid, string requestId) => Derived("CAP-", piaid, requestId);
    /// <summary>paymentIntegratorTransactionId of an e-wallets capture.</summary>
    public static string TransactionId(string piaid, string requestId) => Derived("TXN-", piaid, requestId);
    /// <summary>paymentIntegratorRefundId of a synchronous refund.</summary>
    public static string RefundId(string piaid, string requestId) => Derived("REF-", piaid, requestId);

    /// <summary>The family and version a movement is journaled under, e.g. "e-wallets-v1".</summary>
    public static string Api(Protocol.ProtocolMethod method) => $"{method.Api}-v{method.Version}";

    private static string Derived(string prefix, string piaid, string requestId) =>
        prefix + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(piaid + "\n" + requestId)), 0, 12);
}
