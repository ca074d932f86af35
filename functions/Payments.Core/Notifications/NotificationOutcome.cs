using System.Text.Json;

namespace Payments.Core.Notifications;

/// <summary>How one attempt ended.</summary>
public enum NotificationOutcome
{
    /// <summary>Google answered HTTP 200 with the call's success result: the notification is delivered.</summary>
    Accepted,
    /// <summary>Google answered and refused: an ErrorResponse (any status), or HTTP 200 with another result.</summary>
    Rejected,
    /// <summary>No usable answer: transport error, timeout, non-200 without ErrorResponse, an unopenable or unparseable body.</summary>
    Failed,
}
