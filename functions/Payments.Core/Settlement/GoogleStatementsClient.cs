using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Payments.Core.Notifications;
using Payments.Core.Protocol;
using Payments.Core.Security;

namespace Payments.Core.Settlement;

/// <summary>
/// Google's statement methods (docs/protocol.md, "Settlement"): remittanceStatementDetails and acceptRemittanceStatement
/// in the header style of the statement's API, posted to <c>{Google:BaseUrl}/{api}/{method}/{PIAID}</c> and sealed
/// and opened like the notifications (<see cref="GoogleExchange"/>). Maps every failure to
/// <see cref="GoogleCallFailedException"/> (retryable or not) or <see cref="StatementPageRefusedException"/>; logs
/// statuses and error codes, never a body. A typed HttpClient (<see cref="GoogleStatementsRegistration"/>).
/// </summary>
public sealed partial class GoogleStatementsClient(HttpClient http, IMessageEnvelope envelope, GoogleNotificationOptions options, TimeProvider time,
    ILogger<GoogleStatementsClient> logger) : IGoogleStatements
{
    public const string DetailsMethod = "remittanceStatementDetails";
    public const string AcceptMethod = "acceptRemittanceStatement";
    private static readonly string V2Api = ProtocolApis.RefundableOneTimePaymentCode + "-v2";
    private static readonly HashSet<string> Apis = new(StringComparer.Ordinal)
    {
        ProtocolApis.RefundableOneTimePaymentCode + "-v1", V2Api, ProtocolApis.RedirectPaymentToken + "-v1", ProtocolApis.EWallets + "-v1",
    };

    public async Task<StatementPage> FetchPageAsync(StatementRef statement, string requestId, long eventOffset, int numberOfEvents, CancellationToken ct)
    {
        var v2 = Check(statement, requestId);
        ArgumentOutOfRangeException.ThrowIfNegative(eventOffset);
        ArgumentOutOfRangeException.ThrowIfLessThan(numberOfEvents, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(numberOfEvents, StatementPageReader.MaxEventsPerPage);

        var json = await CallAsync(statement, requestId, DetailsMethod, ms => Body(statement, v2, requestId, ms, w =>
        {
            w.WriteNumber("eventOffset", eventOffset);
            w.WriteNumber("numberOfEvents", numberOfEvents);
        }), ct).ConfigureAwait(false);

        StatementPage page;
        string? errorCode;
        try
        {
            (page, errorCode) = StatementPageReader.Read(json, eventOffset, numberOfEvents);
        }
        catch (StatementPageRefusedException ex)
        {
            throw Refused(statement, requestId, ex.Message);
        }
        if (errorCode is not null) throw Failed(statement, requestId, DetailsMethod, $"HTTP 200 with ErrorResponse {errorCode}", false, 200);
        LogPage(logger, statement.PaymentIntegratorAccountId, statement.StatementId, requestId, page.EventOffset, page.Events.Count, page.NextEventOffset, page.Problems.Count);
        return page;
    }

    public async Task AcceptAsync(StatementRef statement, string requestId, CancellationToken ct)
    {
        var v2 = Check(statement, requestId);
        var json = await CallAsync(statement, requestId, AcceptMethod, ms => Body(statement, v2, requestId, ms, null), ct).ConfigureAwait(false);

        string? problem;
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            problem = root.ValueKind != JsonValueKind.Object ? "HTTP 200, body is not a JSON object"
                : GoogleExchange.TryReadError(root, out var code, out _) ? "HTTP 200 with ErrorResponse " + StatementPageReader.Clean(code)
                : v2 ? (root.TryGetProperty("result", out var result) && result.ValueKind == JsonValueKind.Object && result.TryGetProperty("success", out var s) && s.ValueKind == JsonValueKind.Object
                    ? null : "HTTP 200 without result {success:{}}")
                : (root.TryGetProperty("acceptRemittanceStatementResultCode", out var r) && r.ValueKind == JsonValueKind.String && r.ValueEquals("SUCCESS")
                    ? null : "HTTP 200 without acceptRemittanceStatementResultCode SUCCESS");
        }
        catch (JsonException)
        {
            problem = "HTTP 200, body is not JSON";
        }
        if (problem is not null) throw Failed(statement, requestId, AcceptMethod, problem, false, 200);
        LogAccepted(logger, statement.PaymentIntegratorAccountId, statement.StatementId, requestId);
    }

    /// <summary>One call; returns the opened JSON of an HTTP 200 answer, throws for everything else.</summary>
    private async Task<byte[]> CallAsync(StatementRef statement, string requestId, string method, Func<long, byte[]> body, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var url = GoogleExchange.Url(options, statement.Api + "/" + method, statement.PaymentIntegratorAccountId);
        var answer = await GoogleExchange.PostAsync(http, envelope, options, time, url, body(time.GetUtcNow().ToUnixTimeMilliseconds()), ct).ConfigureAwait(false);
        LogCall(logger, method, statement.PaymentIntegratorAccountId, statement.StatementId, requestId, answer.End, answer.Status, Stopwatch.GetElapsedTime(started).TotalMilliseconds);

        switch (answer.End)
        {
            case GoogleCallEnd.NotSealed: throw Failed(statement, requestId, method, answer.Problem!, false, null);
            case GoogleCallEnd.TimedOut or GoogleCallEnd.TransportError: throw Failed(statement, requestId, method, answer.Problem!, true, answer.Status);
        }
        var status = answer.Status!.Value;
        if (status == 200)
        {
            if (answer.Json is { } json) return json;
            if (method == DetailsMethod) throw Refused(statement, requestId, "HTTP 200, " + answer.Problem);
            throw Failed(statement, requestId, method, "HTTP 200, " + answer.Problem, false, status);
        }

        // 5xx and 429 may pass; any other status is keys, PIAID or request trouble a retry repeats (docs/protocol.md §11).
        var retryable = status >= 500 || status == 429;
        throw Failed(statement, requestId, method, $"HTTP {status}, " + ErrorOf(answer, retryable), retryable, status);
    }

    /// <summary>What a non-200 answer says, without its free text: the error code, or the kind of body.</summary>
    private static string ErrorOf(GoogleAnswer answer, bool retryable)
    {
        var hint = retryable ? "" : " (keys, signature or PIAID trouble)";
        if (answer.Json is null) return answer.Problem + (answer.TooLarge ? "" : hint); // empty, or a generic text no envelope opens
        try
        {
            using var document = JsonDocument.Parse(answer.Json);
            return document.RootElement.ValueKind == JsonValueKind.Object && GoogleExchange.TryReadError(document.RootElement, out var code, out _)
                ? "ErrorResponse " + StatementPageReader.Clean(code)
                : "not an ErrorResponse";
        }
        catch (JsonException)
        {
            return "a generic (non-JSON) body" + hint;
        }
    }

    private GoogleCallFailedException Failed(StatementRef statement, string requestId, string method, string detail, bool retryable, int? status)
    {
        LogFailed(logger, method, statement.PaymentIntegratorAccountId, statement.StatementId, requestId, retryable, detail);
        return new GoogleCallFailedException($"{method} for statement {statement.StatementId} (requestId {requestId}): {detail}", retryable, status);
    }

    private StatementPageRefusedException Refused(StatementRef statement, string requestId, string detail)
    {
        LogFailed(logger, DetailsMethod, statement.PaymentIntegratorAccountId, statement.StatementId, requestId, false, "page refused: " + detail);
        return new StatementPageRefusedException($"{DetailsMethod} for statement {statement.StatementId} (requestId {requestId}): {detail}");
    }

    /// <summary>Validates the arguments; true for the v2 header style.</summary>
    private static bool Check(StatementRef statement, string requestId)
    {
        ArgumentNullException.ThrowIfNull(statement);
        if (!GoogleNotificationClient.IsValidRequestId(requestId))
            throw new ArgumentException("requestId must be 1-100 characters of A-Z a-z 0-9 : - _.", nameof(requestId));
        if (string.IsNullOrEmpty(statement.PaymentIntegratorAccountId) || string.IsNullOrEmpty(statement.StatementId))
            throw new ArgumentException("PaymentIntegratorAccountId and StatementId are required.", nameof(statement));
        if (!Apis.Contains(statement.Api))
            throw new ArgumentException($"Api '{statement.Api}' is not one of {string.Join(", ", Apis)}.", nameof(statement));
        return statement.Api == V2Api;
    }

    /// <summary>The request: the header of the API's style (docs/protocol.md §3), the PIAID (v1 in the body, v2 in the
    /// header), <c>statementId</c>, then the method's own fields.</summary>
    private static byte[] Body(StatementRef statement, bool v2, string requestId, long ms, Action<Utf8JsonWriter>? fields)
    {
        var timestamp = ms.ToString(CultureInfo.InvariantCulture);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartObject("requestHeader");
            w.WriteStartObject("protocolVersion");
            w.WriteNumber("major", v2 ? 2 : 1);
            if (!v2)
            {
                w.WriteNumber("minor", 0);
                w.WriteNumber("revision", 0);
            }
            w.WriteEndObject();
            w.WriteString("requestId", requestId);
            if (v2)
            {
                w.WriteStartObject("requestTimestamp");
                w.WriteString("epochMillis", timestamp);
                w.WriteEndObject();
                w.WriteString("paymentIntegratorAccountId", statement.PaymentIntegratorAccountId);
            }
            else w.WriteString("requestTimestamp", timestamp);
            w.WriteEndObject();
            if (!v2) w.WriteString("paymentIntegratorAccountId", statement.PaymentIntegratorAccountId);
            w.WriteString("statementId", statement.StatementId);
            fields?.Invoke(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    [LoggerMessage(EventId = 4210, Level = LogLevel.Information, Message = "Google {Method} for {PaymentIntegratorAccountId} statement {StatementId} requestId {RequestId}: {End} HTTP {HttpStatus} ({ElapsedMs} ms)")]
    private static partial void LogCall(ILogger logger, string method, string paymentIntegratorAccountId, string statementId, string requestId, GoogleCallEnd end, int? httpStatus, double elapsedMs);

    [LoggerMessage(EventId = 4211, Level = LogLevel.Warning, Message = "Google {Method} for {PaymentIntegratorAccountId} statement {StatementId} requestId {RequestId} failed (retryable {Retryable}): {Detail}")]
    private static partial void LogFailed(ILogger logger, string method, string paymentIntegratorAccountId, string statementId, string requestId, bool retryable, string detail);

    [LoggerMessage(EventId = 4212, Level = LogLevel.Information, Message = "Statement {StatementId} of {PaymentIntegratorAccountId} page requestId {RequestId} at offset {EventOffset}: {Events} events, next offset {NextEventOffset}, {Problems} shape problems")]
    private static partial void LogPage(ILogger logger, string paymentIntegratorAccountId, string statementId, string requestId, long eventOffset, int events, long? nextEventOffset, int problems);

    [LoggerMessage(EventId = 4213, Level = LogLevel.Information, Message = "Statement {StatementId} of {PaymentIntegratorAccountId} accepted at Google (requestId {RequestId})")]
    private static partial void LogAccepted(ILogger logger, string paymentIntegratorAccountId, string statementId, string requestId);
}
