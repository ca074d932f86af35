using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Payments.Core.Transactions;

/// <summary>Asynchronous work a call started (an outbox entry): a row <c>op|…</c> in the
/// transaction's partition, committed together with the state change that caused it.</summary>
public static class OperationKinds
{
    /// <summary>asynchronousRefund: book in the back office, then refundResultNotification.</summary>
    public const string Refund = "Refund";
    /// <summary>cancelFundsReservation: release, then cancelFundsReservationResultNotification.</summary>
    public const string ReservationCancellation = "ReservationCancellation";
    /// <summary>A store payment: referenceNumberPaidNotification.</summary>
    public const string ReferenceNumberPaid = "ReferenceNumberPaid";
}

public static class OperationStates
{
    /// <summary>Acknowledged; the finishing step (booking / release) has not produced a result yet.</summary>
    public const string Pending = "Pending";
    /// <summary>Final result recorded; the notification to Google is on its way.</summary>
    public const string Notifying = "Notifying";
    /// <summary>Google accepted the notification.</summary>
    public const string Done = "Done";
    /// <summary>Retry budget spent: parked in a poison queue, waiting for an operator.</summary>
    public const string NeedsAttention = "NeedsAttention";
}

/// <summary>The queue message: which operation to work on. Ids only, never amounts or secrets.</summary>
public sealed record WorkItem(
    [property: JsonPropertyName("p")] string Partition,
    [property: JsonPropertyName("r")] string Row)
{
    public string ToJson() => JsonSerializer.Serialize(this, WorkItemJsonContext.Default.WorkItem);

    public static WorkItem Parse(string json) =>
        JsonSerializer.Deserialize(json, WorkItemJsonContext.Default.WorkItem) is { Partition.Length: > 0, Row.Length: > 0 } item
            ? item
            : throw new FormatException("queue message is not a work item");
}

[JsonSerializable(typeof(WorkItem))]
internal sealed partial class WorkItemJsonContext : JsonSerializerContext;

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
