using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Payments.Core.Hosting;
using Payments.Core.Settlement;

namespace Payments.Functions;

/// <summary>Remittance statements: the reconciliation worker on its queue, and the operators' routes (function key
/// and x-internal-key, like the other internal routes).</summary>
public sealed class StatementFunctions(StatementReconciler reconciler, StatementEndpoint endpoint, InternalAccess access)
{
    [Function("ReconcileStatement")]
    public Task ReconcileStatement(
        [QueueTrigger("%Storage:StatementsQueue%", Connection = "PaymentsStorage")] string message,
        CancellationToken cancellationToken)
        => reconciler.ProcessAsync(message, cancellationToken);

    [Function("StatementsNeedingAttention")]
    public Task<IActionResult> StatementsNeedingAttention(
        [HttpTrigger(AuthorizationLevel.Function, "get", "head", Route = "internal/remittance-statements/needs-attention")] HttpRequest request,
        CancellationToken cancellationToken)
        => access.GuardAsync(request, () => endpoint.NeedsAttentionAsync(request, cancellationToken));

    [Function("GetStatement")]
    public Task<IActionResult> GetStatement(
        [HttpTrigger(AuthorizationLevel.Function, "get", "head", Route = "internal/remittance-statements/{paymentIntegratorAccountId}/{statementId}")] HttpRequest request,
        string paymentIntegratorAccountId,
        string statementId,
        CancellationToken cancellationToken)
        => access.GuardAsync(request, () => endpoint.GetAsync(request, paymentIntegratorAccountId, statementId, cancellationToken));

    [Function("GetStatementEvents")]
    public Task<IActionResult> GetStatementEvents(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "internal/remittance-statements/{paymentIntegratorAccountId}/{statementId}/events.csv")] HttpRequest request,
        string paymentIntegratorAccountId,
        string statementId,
        CancellationToken cancellationToken)
        => access.GuardAsync(request, () => endpoint.EventsCsvAsync(request, paymentIntegratorAccountId, statementId, cancellationToken));

    [Function("AcceptStatement")]
    public Task<IActionResult> AcceptStatement(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "internal/remittance-statements/{paymentIntegratorAccountId}/{statementId}/accept")] HttpRequest request,
        string paymentIntegratorAccountId,
        string statementId,
        CancellationToken cancellationToken)
        => access.GuardAsync(request, () => endpoint.AcceptAsync(request, paymentIntegratorAccountId, statementId, cancellationToken));
}
