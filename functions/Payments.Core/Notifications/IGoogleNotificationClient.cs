using System.Diagnostics;

namespace Payments.Core.Notifications;

/// <summary>Sends one notification attempt to Google.</summary>
public interface IGoogleNotificationClient
{
    /// <summary>One attempt: never throws for Google's or the network's failures (they are a
    /// <see cref="NotificationAttempt"/> with <see cref="NotificationOutcome.Failed"/> or <see cref="NotificationOutcome.Rejected"/>);
    /// throws <see cref="OperationCanceledException"/> only when <paramref name="cancellationToken"/> is cancelled.</summary>
    Task<NotificationAttempt> SendAsync(GoogleNotification notification, CancellationToken cancellationToken);
}
