using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Payments.Core.Protocol;
using Payments.Core.Idempotency;
using Payments.Core.Storage;
using Payments.Core.Transactions;

namespace Payments.Core.Hosting;

/// <summary>The internal routes (docs/interfaces.md): the integrator's own systems and its operators.
/// Plain JSON; the callers are authorized before this runs (<see cref="InternalAccess"/>, in every host).</summary>
public sealed partial class InternalEndpoint(
    StorePayments payments, OperationRecords records, Finishing.OperationRequeue requeue, TransactionStore store, PaymentsOptions options, TimeProvider time, ILogger<InternalEndpoint> logger)
{
    /// <summary>How far ahead of ours the reporting system's clock may be.</summary>
    private static readonly TimeSpan PaidAtClockSkew = TimeSpan.FromMinutes(10);

    public async Task<IActionResult> ReportPaymentAsync(HttpRequest request, string referenceNumber, CancellationToken cancellationToken)
    {
        var (body, failed) = await ProtocolEndpoint.ReadBodyAsync(request, logger, "payment report", cancellationToken);
        if (body is null) return new HttpBodyResult(failed);
        PaymentReportBody? report;
        try
        {
            report = JsonSerializer.Deserialize(body, InternalJsonContext.Default.PaymentReportBody);
        }
        catch (JsonException e)
        {
            return Problem(400, "malformed JSON: " + StrictJson.Describe(e));
        }
        if (report is null || string.IsNullOrEmpty(report.PaymentIntegratorAccountId) || string.IsNullOrEmpty(report.PaymentIntegratorTransactionId) || report.PaidAtEpochMillis is null)
            return Problem(400, "paymentIntegratorAccountId, paymentIntegratorTransactionId and paidAtEpochMillis are required");
        if (!RequestRules.IsPrintableId(report.PaymentIntegratorTransactionId, 100) || !RequestRules.IsPrintableId(referenceNumber, 64))
            return Problem(400, "paymentIntegratorTransactionId (at most 100 characters) and referenceNumber (at most 64) must be text without control characters, directional controls, line separators or noncharacters");
        // The time goes to Google in the paid notification: after 1970, and not later than now give or take
        // the reporting system's clock.
        if (report.PaidAtEpochMillis <= 0 || report.PaidAtEpochMillis > (time.GetUtcNow() + PaidAtClockSkew).ToUnixTimeMilliseconds())
            return Problem(400, "paidAtEpochMillis must be after 1970 and not in the future");
        if (!options.Serves(report.PaymentIntegratorAccountId)) return Problem(404, "unknown paymentIntegratorAccountId");

        PaymentReportResult result;
        try
        {
            result = await payments.ReportAsync(new PaymentReport(report.PaymentIntegratorAccountId, referenceNumber,
                report.PaymentIntegratorTransactionId, report.PaidAtEpochMillis.Value), cancellationToken);
        }
        catch (ConcurrencyConflictException e)
        {
            return Problem(409, e.Message);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && ProtocolProcessor.IsDependencyDown(e))
        {
            return Unavailable(e);
        }
        LogPaymentReport(logger, referenceNumber, report.PaymentIntegratorTransactionId, result.Status, result.Detail);
        return result.Status switch
        {
            PaymentReportStatus.Unknown => Problem(404, result.Detail),
            PaymentReportStatus.Refused => Problem(409, result.Detail),
            _ => HttpBodyResult.Json(200, JsonSerializer.SerializeToUtf8Bytes(
                new PaymentReportAnswer("PAID", referenceNumber, report.PaymentIntegratorTransactionId, result.NotificationRequestId, result.Detail),
                InternalJsonContext.Default.PaymentReportAnswer)),
        };
    }

    public async Task<IActionResult> GetOperationAsync(HttpRequest request, string paymentIntegratorAccountId, string requestId, CancellationToken cancellationToken)
    {
        if (!options.Serves(paymentIntegratorAccountId)) return Problem(404, "unknown paymentIntegratorAccountId");
        if (!RequestRules.IsValidRequestId(requestId)) return Problem(400, "requestId must be 1-100 characters of A-Z a-z 0-9 : - _");
        byte[]? record;
        try
        {
            record = await records.FindAsync(paymentIntegratorAccountId, requestId, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && ProtocolProcessor.IsDependencyDown(e))
        {
            return Unavailable(e);
        }
        return record is null ? Problem(404, "no call with this requestId") : HttpBodyResult.Json(200, record);
    }

    /// <summary>The parked operations, for an operator to look into and requeue.</summary>
    public async Task<IActionResult> NeedsAttentionAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return HttpBodyResult.Json(200, await records.NeedsAttentionAsync(cancellationToken));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && ProtocolProcessor.IsDependencyDown(e))
        {
            return Unavailable(e);
        }
    }

    /// <summary>Re-queues the parked work of a call (an operator's answer to "needs attention").</summary>
    public async Task<IActionResult> RequeueOperationAsync(HttpRequest request, string paymentIntegratorAccountId, string requestId, CancellationToken cancellationToken)
    {
        if (!options.Serves(paymentIntegratorAccountId)) return Problem(404, "unknown paymentIntegratorAccountId");
        if (!RequestRules.IsValidRequestId(requestId)) return Problem(400, "requestId must be 1-100 characters of A-Z a-z 0-9 : - _");
        Finishing.RequeueResult result;
        try
        {
            result = await requeue.RequeueAsync(paymentIntegratorAccountId, requestId, cancellationToken);
        }
        catch (ConcurrencyConflictException e)
        {
            return Problem(409, e.Message);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && ProtocolProcessor.IsDependencyDown(e))
        {
            return Unavailable(e);
        }
        LogRequeue(logger, paymentIntegratorAccountId, requestId, result.Status, result.Operations.Count);
        return result.Status switch
        {
            Finishing.RequeueStatus.NotFound => Problem(404, "no asynchronous work under this requestId"),
            Finishing.RequeueStatus.NotParked => Problem(409, "the work under this requestId is not parked: it is queued, being worked on or done"),
            _ => HttpBodyResult.Json(202, JsonSerializer.SerializeToUtf8Bytes(new RequeueAnswer("REQUEUED", result.Operations), InternalJsonContext.Default.RequeueAnswer)),
        };
    }

    /// <summary>200 only when storage answers.</summary>
    public async Task<IActionResult> HealthAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await store.Requests.GetOrNullAsync("health", "probe", MarkerRow.AnchorSelect, timeout.Token);
            return HttpBodyResult.Json(200, """{"status":"healthy"}"""u8.ToArray());
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogUnhealthy(logger, e.GetType().Name);
            return HttpBodyResult.Json(503, """{"status":"storage unavailable"}"""u8.ToArray());
        }
    }

    /// <summary>Storage is down: 503, the caller retries (nothing was decided).</summary>
    private HttpBodyResult Unavailable(Exception e)
    {
        LogUnhealthy(logger, e.GetType().Name);
        return Problem(503, "storage unavailable; retry");
    }

    private static HttpBodyResult Problem(int status, string detail) =>
        HttpBodyResult.Json(status, JsonSerializer.SerializeToUtf8Bytes(new InternalProblem(detail), InternalJsonContext.Default.InternalProblem));

    [LoggerMessage(40, LogLevel.Information, "payment report for {ReferenceNumber} (transaction {TransactionId}): {Status} — {Detail}")]
    private static partial void LogPaymentReport(ILogger logger, string referenceNumber, string transactionId, PaymentReportStatus status, string detail);

    [LoggerMessage(42, LogLevel.Warning, "operator requeue of {PaymentIntegratorAccountId}/{RequestId}: {Status} ({Count} operation(s))")]
    private static partial void LogRequeue(ILogger logger, string paymentIntegratorAccountId, string requestId, Finishing.RequeueStatus status, int count);

    [LoggerMessage(41, LogLevel.Warning, "health: storage did not answer ({ErrorType})")]
    private static partial void LogUnhealthy(ILogger logger, string errorType);
}
