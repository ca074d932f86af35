namespace Payments.LocalHost;

/// <summary>Settings of the local host only (<c>LocalHost:*</c>); the Functions host has no such section.</summary>
public sealed class LocalHostOptions
{
    public const string Section = "LocalHost";

    /// <summary>Function name → NCRONTAB schedule that replaces the function's own locally
    /// (<c>LocalHost__TimerSchedules__OutboxRelay</c>: tests run the relay every few seconds instead of every 30).</summary>
    public Dictionary<string, string> TimerSchedules { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
