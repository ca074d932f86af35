namespace Payments.Core.Transactions;

public static class OperationStates
{
    /// <summary>Acknowledged; the finishing step (booking / release) has not produced a result yet.</summary>
    public const string Pending = "Pending";
    /// <summary>Final result recorded; the notification to Google is on its way.</summary>
    public const string Notifying = "Notifying";
    /// <summary>Google accepted the notification.</summary>
    public const string Done = "Done";
    /// <summary>Retry budget spent: parked in a poison queue, waiting for an operator.</summary>
    public const string NeedsAttention = "NeedsAttention";
}
