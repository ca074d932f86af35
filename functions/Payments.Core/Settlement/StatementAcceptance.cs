namespace Payments.Core.Settlement;

/// <summary>What an operator's acceptance of a statement came to.</summary>
public enum StatementAcceptance
{
    /// <summary>Set to Accepting and queued: the acceptance goes to Google.</summary>
    Queued,
    NotFound,
    /// <summary>Accepted already, or being accepted.</summary>
    AlreadyAccepted,
    /// <summary>Still being reconciled: nothing for an operator to accept yet.</summary>
    NotParked,
}
