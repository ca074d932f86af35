using Payments.Core.Journal;
using Payments.Core.Settlement;

namespace Payments.StandIns.Google;

/// <summary>Builds what Google would put on a statement from our journal's movements, for
/// <see cref="GoogleStandIn.AddStatement"/>: a capture is an event of <c>captureEvents</c> charging +amount, a refund
/// one of <c>refundEvents</c> charging −amount (positive: the integrator owes Google).</summary>
public static class StatementBuilder
{
    /// <param name="fee">the fee of each event in micros (Google signs it too); null: 0</param>
    public static IReadOnlyList<StatementEvent> EventsFrom(StatementRef statement, IEnumerable<MoneyMovement> movements, Func<MoneyMovement, long>? fee = null)
    {
        var v2 = IsV2(statement);
        return movements.Select(m => new StatementEvent(
            m.Kind == MoneyMovementKind.Capture ? "captureEvents" : "refundEvents",
            m.EventRequestId,
            m.PaymentIntegratorEventId,
            m.Kind == MoneyMovementKind.Capture ? m.AmountMicros : -m.AmountMicros,
            fee?.Invoke(m) ?? 0,
            v2 ? m.CurrencyCode : null)).ToList();
    }

    /// <summary>The summary of a statement of one billing day from <paramref name="periodStart"/>, issued two days after
    /// it and due a week later, owing Σ charges + Σ fees. v2 carries the event count and no memo line; v1 the reverse.</summary>
    public static RemittanceSummary SummaryOf(StatementRef statement, IReadOnlyList<StatementEvent> events, string currencyCode, DateTimeOffset periodStart)
    {
        var v2 = IsV2(statement);
        var statementDate = periodStart.AddDays(3);
        return new RemittanceSummary(statementDate, periodStart, periodStart.AddDays(1).AddSeconds(-1), statementDate.AddDays(7), currencyCode,
            events.Sum(e => (e.ChargeMicros ?? 0) + (e.FeeMicros ?? 0)), v2 ? events.Count : null, v2 ? null : "memo-" + statement.StatementId);
    }

    private static bool IsV2(StatementRef statement) => statement.Api.EndsWith("-v2", StringComparison.Ordinal);
}
