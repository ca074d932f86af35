using System.Text.Json;
using Payments.Core.Protocol;

namespace Payments.Core.Notifications;

/// <summary>One delivery attempt, for the operation record. <see cref="Detail"/> is short and safe to show operators
/// (no secrets, no bodies).</summary>
/// <param name="At">when the attempt started</param>
/// <param name="RequestTimestampMillis">the <c>requestTimestamp</c> this attempt carried</param>
/// <param name="HttpStatus">null when no HTTP answer came (transport error, timeout)</param>
/// <param name="ErrorCode">Google's <c>errorResponseCode</c> (v1) or <c>errorResponseResult</c> member (v2), when it sent one</param>
public sealed record NotificationAttempt(
    DateTimeOffset At,
    TimeSpan Duration,
    long RequestTimestampMillis,
    int? HttpStatus,
    NotificationOutcome Outcome,
    string Detail,
    string? ErrorCode = null)
{
    public bool Delivered => Outcome == NotificationOutcome.Accepted;
    /// <summary>Failed without a usable answer from Google (timeout, transport error, 5xx/429/408 without an
    /// ErrorResponse): the endpoint is down for every notification, not refusing this one.</summary>
    public bool Unavailable => Outcome == NotificationOutcome.Failed && !LocalFailure && HttpStatus is null or >= 500 or 429 or 408;
    /// <summary>Failed before anything was sent (the body could not be sealed).</summary>
    public bool LocalFailure { get; init; }
}
