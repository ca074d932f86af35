using Payments.Core.Protocol;

namespace Payments.Core.Settlement;

/// <summary>The summary fields both notification versions share: the dates and their rules.</summary>
internal static class StatementFields
{
    /// <summary>memoLineId goes on a bank transfer: short.</summary>
    public const int MaxMemoLength = 256;

    public static void RequireDates(List<string> missing, WireTimestamp? statementDate, BillingPeriod? period)
    {
        const string s = "remittanceStatementSummary";
        if (statementDate is null) missing.Add(s + ".statementDate");
        if (period is null) { missing.Add(s + ".billingPeriod"); return; }
        if (period.StartDate is null) missing.Add(s + ".billingPeriod.startDate");
        if (period.EndDate is null) missing.Add(s + ".billingPeriod.endDate");
    }

    /// <summary>The validated summary: every date between 1970 and 9999, the period not ending before it starts.</summary>
    public static RemittanceSummary Summary(WireTimestamp? statementDate, BillingPeriod? period, WireTimestamp? dateDue, string currency,
        long totalDue, long? totalEvents, string? memoLineId)
    {
        const string s = "remittanceStatementSummary";
        var start = Date(period?.StartDate, s + ".billingPeriod.startDate");
        var end = Date(period?.EndDate, s + ".billingPeriod.endDate");
        if (end < start) throw ProtocolException.InvalidField(s + ".billingPeriod.endDate is before its startDate");
        DateTimeOffset? due = dateDue is null ? null : Date(dateDue, s + ".dateDue");
        return new RemittanceSummary(Date(statementDate, s + ".statementDate"), start, end, due, currency, totalDue, totalEvents,
            string.IsNullOrEmpty(memoLineId) ? null : memoLineId);
    }

    private static DateTimeOffset Date(WireTimestamp? value, string name)
    {
        if (value is not { } v) throw ProtocolException.Missing([name]);
        // Up to the last millisecond a DateTimeOffset (and Table Storage) holds.
        if (v.EpochMillis < 0 || v.EpochMillis > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
            throw ProtocolException.InvalidField($"{name} must be between 1970-01-01 and 9999-12-31");
        return DateTimeOffset.FromUnixTimeMilliseconds(v.EpochMillis);
    }
}
