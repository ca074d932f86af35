namespace Payments.Core.Transactions;

/// <summary>Where a capture stands (row <c>cap|…</c>).</summary>
public static class CaptureStatus
{
    /// <summary>Committed and the money reserved; its back-office booking has no answer yet.</summary>
    public const string Pending = "Pending";
    /// <summary>Final: the money moved.</summary>
    public const string Captured = "Captured";
    /// <summary>Final: the back office declined it; nothing moved.</summary>
    public const string Declined = "Declined";
}
