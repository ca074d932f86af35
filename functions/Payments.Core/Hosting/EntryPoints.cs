// PINNED entry-point surface of the queue functions: what functions/Payments.Functions calls.
// The asynchronous-finishing work replaces these stubs.

namespace Payments.Core.Hosting;

/// <summary>Queue functions: each takes the message text (after host.json's messageEncoding) and
/// throws to have the host retry. Idempotent under at-least-once delivery.</summary>
public sealed partial class RefundWorker { public Task ProcessAsync(string message, CancellationToken cancellationToken) => throw new NotImplementedException(); }
public sealed partial class ReservationCancellationWorker { public Task ProcessAsync(string message, CancellationToken cancellationToken) => throw new NotImplementedException(); }
public sealed partial class NotificationWorker { public Task ProcessAsync(string message, CancellationToken cancellationToken) => throw new NotImplementedException(); }

/// <summary>Re-enqueues outbox entries whose queue message was lost (timer-triggered in Azure, a loop locally).</summary>
public sealed partial class OutboxRelay
{
    /// <summary>NCRONTAB schedule of the timer trigger.</summary>
    public const string Schedule = "*/30 * * * * *";
    public Task RunOnceAsync(CancellationToken cancellationToken) => throw new NotImplementedException();
}
