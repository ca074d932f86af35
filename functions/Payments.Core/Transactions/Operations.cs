using System.Security.Cryptography;
using System.Text;

namespace Payments.Core.Transactions;

public static class Operations
{
    /// <summary>A new operation, pending (its finishing step not run yet) and due at once.</summary>
    public static OperationRow New(
        string partition, string row, string kind, string piaid, string requestId, string queue,
        Protocol.ProtocolMethod notification, DateTimeOffset now) =>
        new(partition, row, kind, OperationStates.Pending, piaid, requestId, queue, notification.Api, notification.Version, notification.Name,
            NotificationRequestId(partition, row), now, now, now);

    /// <summary>The notification's own requestId: derived from the operation, so every attempt, by
    /// any instance, after any crash, sends the same one (docs/protocol.md §5).</summary>
    public static string NotificationRequestId(string partition, string row) =>
        "N-" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(partition + "\n" + row)), 0, 16);

    /// <summary>The back office's duplicate guard (docs/backoffice.md): one code per protocol request.</summary>
    public static string BackOfficeCode(string piaid, string requestId) =>
        "GSP-" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(piaid + "\n" + requestId)), 0, 12);
}
