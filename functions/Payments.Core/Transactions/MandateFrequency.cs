using System.Globalization;

namespace Payments.Core.Transactions;

/// <summary>A mandate's frequency as a charge limit (docs/protocol.md §12): <c>DAILY</c> allows one charge
/// per UTC day, <c>MONTHLY</c> one per UTC calendar month; any other value (or none) sets no limit.</summary>
public static class MandateFrequency
{
    /// <returns>the period <paramref name="now"/> falls in, or null when the frequency limits nothing</returns>
    public static string? Period(string? frequency, DateTimeOffset now) => frequency?.Trim().ToUpperInvariant() switch
    {
        "DAILY" => now.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        "MONTHLY" => now.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>The decline of a charge beyond the frequency's one per period.</summary>
    public static string ExceededResult(string frequency) =>
        frequency.Trim().Equals("DAILY", StringComparison.OrdinalIgnoreCase) ? "CHARGE_EXCEEDS_DAILY_LIMIT" : "CHARGE_EXCEEDS_MONTHLY_LIMIT";
}
