using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Payments.Core.Protocol;
using Payments.Core.Settlement;
using Payments.Core.Storage;

namespace Payments.Core.Hosting;

/// <summary>The operators' statement routes (docs/interfaces.md, "Remittance statements"). Plain JSON (the
/// events as CSV); the callers are authorized before this runs (<see cref="InternalAccess"/>).</summary>
public sealed partial class StatementEndpoint(StatementRecords records, PaymentsOptions options, ILogger<StatementEndpoint> logger)
{
    /// <summary>Who accepted and why: kept on the statement and in the log.</summary>
    private const int MaxTextLength = 500;

    public Task<IActionResult> GetAsync(HttpRequest request, string paymentIntegratorAccountId, string statementId, CancellationToken cancellationToken) =>
        GuardAsync(paymentIntegratorAccountId, statementId, async () =>
        {
            var after = request.Query["discrepanciesAfter"].ToString();
            if (after.Length > 0 && !after.StartsWith(StatementKeys.EventRowsFrom, StringComparison.Ordinal)) return Problem(400, "discrepanciesAfter is not a cursor this route gave");
            var view = await records.ViewAsync(paymentIntegratorAccountId, statementId, after.Length > 0 ? after : null, cancellationToken);
            return view is null ? Problem(404, "no statement with this id") : HttpBodyResult.Json(200, view);
        }, cancellationToken);

    public async Task<IActionResult> NeedsAttentionAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return HttpBodyResult.Json(200, await records.NeedsAttentionAsync(cancellationToken));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && ProtocolProcessor.IsDependencyDown(e))
        {
            return Problem(503, "storage unavailable; retry");
        }
    }

    public Task<IActionResult> EventsCsvAsync(HttpRequest request, string paymentIntegratorAccountId, string statementId, CancellationToken cancellationToken) =>
        GuardAsync(paymentIntegratorAccountId, statementId, async () =>
        {
            // Written as it is read: the status goes out before the first row, so the whole export is streamed.
            var response = request.HttpContext.Response;
            var found = await records.WriteCsvAsync(paymentIntegratorAccountId, statementId, () =>
            {
                response.StatusCode = 200;
                response.ContentType = "text/csv; charset=utf-8";
                return response.Body;
            }, cancellationToken);
            return found ? new EmptyResult() : Problem(404, "no statement with this id");
        }, cancellationToken);

    public Task<IActionResult> AcceptAsync(HttpRequest request, string paymentIntegratorAccountId, string statementId, CancellationToken cancellationToken) =>
        GuardAsync(paymentIntegratorAccountId, statementId, async () =>
        {
            var (body, failed) = await ProtocolEndpoint.ReadBodyAsync(request, logger, "statement acceptance", cancellationToken);
            if (body is null) return new HttpBodyResult(failed);
            string? by, reason;
            try
            {
                var json = JsonNode.Parse(body) as JsonObject;
                (by, reason) = (json?["acceptedBy"]?.GetValue<string>(), json?["reason"]?.GetValue<string>());
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
            {
                return Problem(400, "the body must be JSON {\"acceptedBy\": \"...\", \"reason\": \"...\"}");
            }
            if (!IsText(by) || !IsText(reason))
                return Problem(400, $"acceptedBy and reason are required: text of at most {MaxTextLength} characters without control characters");
            var outcome = await records.AcceptAsync(paymentIntegratorAccountId, statementId, by!, reason!, cancellationToken);
            LogAcceptance(logger, paymentIntegratorAccountId, statementId, by!, reason!, outcome);
            return outcome switch
            {
                StatementAcceptance.Queued => HttpBodyResult.Json(202, """{"status":"ACCEPTING"}"""u8.ToArray()),
                StatementAcceptance.NotFound => Problem(404, "no statement with this id"),
                StatementAcceptance.AlreadyAccepted => Problem(409, "the statement is accepted already (or being accepted)"),
                _ => Problem(409, "the statement is still being reconciled: nothing to accept yet"),
            };
        }, cancellationToken);

    private static bool IsText(string? s) => s is { Length: > 0 and <= MaxTextLength } && RequestRules.IsFreeText(s);

    /// <summary>The account must be served and the statement id a requestId; storage down is 503, a race 409.</summary>
    private async Task<IActionResult> GuardAsync(string piaid, string statementId, Func<Task<IActionResult>> action, CancellationToken cancellationToken)
    {
        if (!options.Serves(piaid)) return Problem(404, "unknown paymentIntegratorAccountId");
        if (!RequestRules.IsValidRequestId(statementId)) return Problem(400, "statementId must be 1-100 characters of A-Z a-z 0-9 : - _");
        try
        {
            return await action();
        }
        catch (ConcurrencyConflictException e)
        {
            return Problem(409, e.Message);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && ProtocolProcessor.IsDependencyDown(e))
        {
            return Problem(503, "storage unavailable; retry");
        }
    }

    private static HttpBodyResult Problem(int status, string detail) =>
        HttpBodyResult.Json(status, JsonSerializer.SerializeToUtf8Bytes(new InternalProblem(detail), InternalJsonContext.Default.InternalProblem));

    [LoggerMessage(43, LogLevel.Warning, "operator acceptance of statement {PaymentIntegratorAccountId}/{StatementId} by {AcceptedBy} ({Reason}): {Outcome}")]
    private static partial void LogAcceptance(ILogger logger, string paymentIntegratorAccountId, string statementId, string acceptedBy, string reason, StatementAcceptance outcome);
}
