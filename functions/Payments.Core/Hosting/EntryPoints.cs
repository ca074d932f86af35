// PINNED entry-point surface: what functions/Payments.Functions calls, one line per function.
// The protocol-core work replaces these stubs.
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Payments.Core.Protocol;

namespace Payments.Core.Hosting;

/// <summary>Serves every protocol route: envelope → strict parse → validate → idempotency → handler.</summary>
public sealed partial class ProtocolEndpoint
{
    public Task<IActionResult> HandleAsync(HttpRequest request, ProtocolMethod method, CancellationToken cancellationToken) => throw new NotImplementedException();
}

/// <summary>The internal routes (integrator's systems, operators) and health.</summary>
public sealed partial class InternalEndpoint
{
    public Task<IActionResult> ReportPaymentAsync(HttpRequest request, string referenceNumber, CancellationToken cancellationToken) => throw new NotImplementedException();
    public Task<IActionResult> GetOperationAsync(HttpRequest request, string paymentIntegratorAccountId, string requestId, CancellationToken cancellationToken) => throw new NotImplementedException();
    public Task<IActionResult> RequeueOperationAsync(HttpRequest request, string paymentIntegratorAccountId, string requestId, CancellationToken cancellationToken) => throw new NotImplementedException();
    public Task<IActionResult> HealthAsync(HttpRequest request, CancellationToken cancellationToken) => throw new NotImplementedException();
}

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
