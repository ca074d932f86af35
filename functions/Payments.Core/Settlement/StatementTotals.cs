using System.Text.Json.Nodes;

namespace Payments.Core.Settlement;

/// <summary>Counts and sums (micros, as Google signs them) per event array; stored as JSON on the statement and
/// on each page row. Overflow throws: such a statement is parked, never summed wrongly.</summary>
public sealed class StatementTotals
{
    private readonly SortedDictionary<string, (long Count, long Charges, long Fees)> _arrays = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, (long Count, long Charges, long Fees)> Arrays => _arrays;

    public void Add(string array, long charge, long fee)
    {
        var (count, charges, fees) = _arrays.GetValueOrDefault(array);
        _arrays[array] = checked((count + 1, charges + charge, fees + fee));
    }

    public void Add(StatementTotals other)
    {
        foreach (var (array, (count, charges, fees)) in other._arrays)
        {
            var (c, ch, f) = _arrays.GetValueOrDefault(array);
            _arrays[array] = checked((c + count, ch + charges, f + fees));
        }
    }

    /// <summary>Σ charges + Σ fees over every array: what the events say the integrator owes.</summary>
    public long Due => _arrays.Values.Aggregate(0L, (sum, t) => checked(sum + t.Charges + t.Fees));

    public string ToJson()
    {
        var o = new JsonObject();
        foreach (var (array, (count, charges, fees)) in _arrays)
            o[array] = new JsonObject { ["count"] = count, ["chargesMicros"] = charges, ["feesMicros"] = fees };
        return o.ToJsonString();
    }

    public static StatementTotals Parse(string json)
    {
        var totals = new StatementTotals();
        foreach (var (array, node) in JsonNode.Parse(json)!.AsObject())
            totals._arrays[array] = (node!["count"]!.GetValue<long>(), node["chargesMicros"]!.GetValue<long>(), node["feesMicros"]!.GetValue<long>());
        return totals;
    }
}
