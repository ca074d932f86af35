namespace Payments.Core.Journal;

/// <summary>Which way a movement went, as a remittance statement sorts its events: a capture (a paid
/// reference number, a captured reservation, a charge) or a refund. Stored as its name.</summary>
public enum MoneyMovementKind
{
    Capture,
    Refund,
}
