using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Payments.Core.Hosting;

namespace Payments.Functions;

/// <summary>The internal routes: the integrator's own systems and operators call them with a function key
/// (x-functions-key header or code query parameter; the Functions host checks it) and the app's own key in
/// x-internal-key (<see cref="InternalAccess"/>; any host key alone opens nothing); health is anonymous. GET routes answer HEAD too. Route parameters bind to the method parameters of the same name.</summary>
public sealed class InternalFunctions(InternalEndpoint endpoint, InternalAccess access)
{
    [Function("ReportPayment")]
    public Task<IActionResult> ReportPayment(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "internal/reference-numbers/{referenceNumber}/payment")] HttpRequest request,
        string referenceNumber,
        CancellationToken cancellationToken)
        => access.GuardAsync(request, () => endpoint.ReportPaymentAsync(request, referenceNumber, cancellationToken));

    [Function("GetOperation")]
    public Task<IActionResult> GetOperation(
        [HttpTrigger(AuthorizationLevel.Function, "get", "head", Route = "internal/operations/{paymentIntegratorAccountId}/{requestId}")] HttpRequest request,
        string paymentIntegratorAccountId,
        string requestId,
        CancellationToken cancellationToken)
        => access.GuardAsync(request, () => endpoint.GetOperationAsync(request, paymentIntegratorAccountId, requestId, cancellationToken));

    [Function("RequeueOperation")]
    public Task<IActionResult> RequeueOperation(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "internal/operations/{paymentIntegratorAccountId}/{requestId}/requeue")] HttpRequest request,
        string paymentIntegratorAccountId,
        string requestId,
        CancellationToken cancellationToken)
        => access.GuardAsync(request, () => endpoint.RequeueOperationAsync(request, paymentIntegratorAccountId, requestId, cancellationToken));

    [Function("NeedsAttention")]
    public Task<IActionResult> NeedsAttention(
        [HttpTrigger(AuthorizationLevel.Function, "get", "head", Route = "internal/operations/needs-attention")] HttpRequest request,
        CancellationToken cancellationToken)
        => access.GuardAsync(request, () => endpoint.NeedsAttentionAsync(request, cancellationToken));

    [Function("Health")]
    public Task<IActionResult> Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "health")] HttpRequest request,
        CancellationToken cancellationToken)
        => endpoint.HealthAsync(request, cancellationToken);
}
