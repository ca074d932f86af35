namespace Payments.Core.Settlement;

/// <summary>Where a statement stands (docs/protocol.md, "Settlement").</summary>
public static class StatementStates
{
    /// <summary>Notified and acknowledged; no page fetched yet.</summary>
    public const string Received = "Received";
    /// <summary>Pages being fetched and matched; NextOffset says where the next one starts.</summary>
    public const string Fetching = "Fetching";
    /// <summary>Every page matched, no discrepancy: acceptRemittanceStatement is being sent.</summary>
    public const string Accepting = "Accepting";
    /// <summary>Google accepted our acceptance.</summary>
    public const string Accepted = "Accepted";
    /// <summary>A discrepancy, or a fault retries cannot fix: an operator decides (Reason, the discrepancies).</summary>
    public const string NeedsAttention = "NeedsAttention";
}
