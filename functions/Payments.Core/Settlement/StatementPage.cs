namespace Payments.Core.Settlement;

/// <summary>One page of remittanceStatementDetails.</summary>
/// <param name="NextEventOffset">absent on the last page</param>
/// <param name="Problems">shape problems found while parsing tolerantly (an unknown field in an event, an
/// event array of an unknown name, a missing eventRequestId, an unparsable amount…): each becomes a discrepancy</param>
public sealed record StatementPage(long EventOffset, long? NextEventOffset, long? TotalEvents,
    RemittanceSummary? Summary, IReadOnlyList<StatementEvent> Events, IReadOnlyList<string> Problems);
