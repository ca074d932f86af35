using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Payments.Core.Security;

namespace Payments.Core.Notifications;

/// <summary>
/// Google's notification endpoints (docs/protocol.md §2): builds the body with the header style of the call's API version,
/// a fresh <c>requestTimestamp</c> per attempt and the caller's stable <c>requestId</c>; seals it with
/// <see cref="IMessageEnvelope.Seal"/>, posts it to <c>{BaseUrl}/{api}-v{N}/{method}/{PIAID}</c> and opens and checks the
/// answer. Use it as a typed HttpClient (<see cref="NotificationRegistration.AddGoogleNotifications"/>).
/// </summary>
public sealed partial class GoogleNotificationClient : IGoogleNotificationClient
{
    private const int MaxDescriptionInDetail = 120;
    private readonly HttpClient _http;
    private readonly IMessageEnvelope _envelope;
    private readonly GoogleNotificationOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public GoogleNotificationClient(HttpClient http, IMessageEnvelope envelope, GoogleNotificationOptions options, TimeProvider time, ILogger<GoogleNotificationClient> logger)
    {
        _http = http;
        _envelope = envelope;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary><c>{BaseUrl}/{api}-v{N}/{method}/{PIAID}</c></summary>
    public Uri UrlFor(GoogleNotification notification)
        => new((_options.BaseUrl ?? throw new InvalidOperationException("Google__BaseUrl is not set.")).AbsoluteUri.TrimEnd('/') + "/" + notification.Route + "/" + Uri.EscapeDataString(notification.PaymentIntegratorAccountId));

    /// <summary>requestId: 1–100 characters of <c>A-Z a-z 0-9 : - _</c> (docs/protocol.md §3).</summary>
    public static bool IsValidRequestId(string? requestId)
        => requestId is { Length: > 0 and <= 100 } && requestId.All(c => char.IsAsciiLetterOrDigit(c) || c is ':' or '-' or '_');

    public async Task<NotificationAttempt> SendAsync(GoogleNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (!IsValidRequestId(notification.NotificationRequestId))
            throw new ArgumentException("NotificationRequestId must be 1-100 characters of A-Z a-z 0-9 : - _.", nameof(notification));
        if (string.IsNullOrEmpty(notification.PaymentIntegratorAccountId))
            throw new ArgumentException("PaymentIntegratorAccountId is required.", nameof(notification));

        var at = _time.GetUtcNow();
        var timestamp = at.ToUnixTimeMilliseconds();
        var started = Stopwatch.GetTimestamp();
        var attempt = await AttemptAsync(notification, at, timestamp, started, cancellationToken).ConfigureAwait(false);
        if (attempt.Outcome == NotificationOutcome.Accepted)
            LogAccepted(_logger, notification.Method, notification.PaymentIntegratorAccountId, notification.NotificationRequestId, attempt.HttpStatus, attempt.Duration.TotalMilliseconds);
        else
            LogNotDelivered(_logger, notification.Method, notification.PaymentIntegratorAccountId, notification.NotificationRequestId, attempt.Outcome, attempt.Detail, attempt.Duration.TotalMilliseconds);
        return attempt;
    }

    private async Task<NotificationAttempt> AttemptAsync(GoogleNotification notification, DateTimeOffset at, long timestamp, long started, CancellationToken cancellationToken)
    {
        NotificationAttempt Result(int? status, NotificationOutcome outcome, string detail, string? errorCode = null)
            => new(at, Stopwatch.GetElapsedTime(started), timestamp, status, outcome, detail, errorCode);

        byte[] sealedBody;
        try
        {
            sealedBody = _envelope.Seal(notification.ToJson(timestamp));
        }
        catch (Exception ex) when (ex is EnvelopeException or InvalidOperationException or ArgumentException)
        {
            return Result(null, NotificationOutcome.Failed, "the body could not be sealed (" + ex.GetType().Name + ")") with { LocalFailure = true };
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, UrlFor(notification)) { Content = new ByteArrayContent(sealedBody) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(_envelope.ContentType);
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        int status;
        byte[] responseBody;
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
            status = (int)response.StatusCode;
            responseBody = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            return Result(null, NotificationOutcome.Failed, $"timed out after {_options.Timeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException ex)
        {
            return Result(ex.StatusCode is { } s ? (int)s : null, NotificationOutcome.Failed, "transport error: " + ex.HttpRequestError);
        }

        // Open and parse whatever came back (an ErrorResponse is sealed too when Google could attribute the call).
        JsonDocument? document = null;
        string? problem = null;
        if (responseBody.Length == 0)
        {
            problem = "empty body";
        }
        else
        {
            try
            {
                var opened = _envelope.Open(responseBody);
                document = JsonDocument.Parse(opened);
                if (document.RootElement.ValueKind != JsonValueKind.Object) problem = "body is not a JSON object";
            }
            catch (EnvelopeException ex)
            {
                problem = "body could not be opened (" + ex.Failure + ")";
            }
            catch (JsonException)
            {
                problem = "body is not JSON";
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                problem = "body could not be opened (" + ex.GetType().Name + ")";
            }
        }

        using (document)
        {
            if (problem is not null || document is null)
                return Result(status, NotificationOutcome.Failed, $"HTTP {status}, {problem}");
            var root = document.RootElement;

            if (TryReadError(root, out var errorCode, out var description))
                return Result(status, NotificationOutcome.Rejected,
                    $"HTTP {status} {errorCode}" + (description is null ? "" : ": " + Truncate(description)), errorCode);

            if (status != 200)
                return Result(status, NotificationOutcome.Failed, $"HTTP {status} without an ErrorResponse");

            if (!root.TryGetProperty("result", out var result))
                return Result(status, NotificationOutcome.Failed, "HTTP 200 without a result");
            if (notification.IsSuccess(result))
                return Result(status, NotificationOutcome.Accepted, "HTTP 200 " + notification.ExpectedResult);
            return Result(status, NotificationOutcome.Rejected, $"HTTP 200 with result {Shape(result)}, expected {notification.ExpectedResult}");
        }
    }

    private static bool TryReadError(JsonElement root, out string code, out string? description)
    {
        code = "";
        description = root.TryGetProperty("errorDescription", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        if (root.TryGetProperty("errorResponseCode", out var v1) && v1.ValueKind == JsonValueKind.String)
        {
            code = v1.GetString() ?? "";
            return true;
        }
        if (root.TryGetProperty("errorResponseResult", out var v2) && v2.ValueKind == JsonValueKind.Object)
        {
            code = v2.EnumerateObject().Select(p => p.Name).FirstOrDefault() ?? "errorResponseResult";
            return true;
        }
        return false;
    }

    /// <summary>The result's shape without its values: <c>"DECLINED"</c> for an enum, <c>{member}</c> for a union.</summary>
    private static string Shape(JsonElement result) => result.ValueKind switch
    {
        JsonValueKind.String => Truncate("\"" + result.GetString() + "\""),
        JsonValueKind.Object => "{" + string.Join(",", result.EnumerateObject().Select(p => p.Name).Take(3)) + "}",
        _ => result.ValueKind.ToString(),
    };

    private static string Truncate(string s)
    {
        var clean = new string(s.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        return clean.Length <= MaxDescriptionInDetail ? clean : clean[..MaxDescriptionInDetail] + "…";
    }

    [LoggerMessage(EventId = 4200, Level = LogLevel.Information, Message = "Google {Method} for {PaymentIntegratorAccountId} requestId {NotificationRequestId} accepted (HTTP {HttpStatus}, {ElapsedMs} ms)")]
    private static partial void LogAccepted(ILogger logger, string method, string paymentIntegratorAccountId, string notificationRequestId, int? httpStatus, double elapsedMs);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "Google {Method} for {PaymentIntegratorAccountId} requestId {NotificationRequestId} not delivered: {Outcome} {Detail} ({ElapsedMs} ms)")]
    private static partial void LogNotDelivered(ILogger logger, string method, string paymentIntegratorAccountId, string notificationRequestId, NotificationOutcome outcome, string detail, double elapsedMs);
}
