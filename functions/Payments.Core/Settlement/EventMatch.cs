using System.Text.Json;
using System.Text.Json.Nodes;

namespace Payments.Core.Settlement;

/// <summary>One event of a statement and how it matched our journal (docs/protocol.md, "Settlement"), as stored
/// in the statement's event rows and listed by the operator routes.</summary>
/// <param name="Position">the event's place in the statement (page offset + index); -1 for a page's shape problem</param>
/// <param name="Status">"Matched" or the discrepancy (<see cref="EventStatus"/>)</param>
public sealed record EventMatch(long Position, string Array, string? EventRequestId, string? PaymentIntegratorEventId,
    long? ChargeMicros, long? FeeMicros, string? CurrencyCode, string Status, string? Detail)
{
    /// <summary>Stored ids and texts are cut here: a row holds <see cref="StatementReconciler.EventsPerRow"/> events.</summary>
    private const int MaxText = 160;

    public bool IsDiscrepancy => Status != EventStatus.Matched;

    public JsonArray ToJson() =>
        [Position, Cut(Array), Cut(EventRequestId), Cut(PaymentIntegratorEventId), ChargeMicros, FeeMicros, Cut(CurrencyCode), Status, Cut(Detail)];

    public static EventMatch From(JsonElement a) =>
        new(a[0].GetInt64(), a[1].GetString() ?? "", a[2].GetString(), a[3].GetString(), Long(a[4]), Long(a[5]), a[6].GetString(),
            a[7].GetString() ?? "", a[8].GetString());

    private static long? Long(JsonElement e) => e.ValueKind == JsonValueKind.Number ? e.GetInt64() : null;
    private static string? Cut(string? s) => s is { Length: > MaxText } ? s[..MaxText] + "…" : s;
}
