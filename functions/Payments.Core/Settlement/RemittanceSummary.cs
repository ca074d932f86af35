namespace Payments.Core.Settlement;

/// <summary>A statement's summary: from the remittanceStatementNotification and from every details page.</summary>
/// <param name="TotalEvents">v2 summary only</param>
public sealed record RemittanceSummary(DateTimeOffset StatementDate, DateTimeOffset BillingPeriodStart,
    DateTimeOffset BillingPeriodEnd, DateTimeOffset? DateDue, string CurrencyCode, long TotalDueByIntegratorMicros,
    long? TotalEvents, string? MemoLineId);
