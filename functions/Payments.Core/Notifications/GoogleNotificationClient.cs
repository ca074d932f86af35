using System.Diagnostics;
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
    public Uri UrlFor(GoogleNotification notification) => GoogleExchange.Url(_options, notification.Route, notification.PaymentIntegratorAccountId);

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

        var answer = await GoogleExchange.PostAsync(_http, _envelope, _options, _time, UrlFor(notification), notification.ToJson(timestamp), cancellationToken).ConfigureAwait(false);
        if (answer.End == GoogleCallEnd.NotSealed)
            return Result(null, NotificationOutcome.Failed, answer.Problem!) with { LocalFailure = true };
        if (answer.End != GoogleCallEnd.Answered)
            return Result(answer.Status, NotificationOutcome.Failed, answer.Problem!);
        var status = answer.Status!.Value;

        // Parse whatever came back (an ErrorResponse is sealed too when Google could attribute the call).
        JsonDocument? document = null;
        var problem = answer.Problem;
        if (answer.Json is { } json)
        {
            try
            {
                document = JsonDocument.Parse(json);
                if (document.RootElement.ValueKind != JsonValueKind.Object) problem = "body is not a JSON object";
            }
            catch (JsonException)
            {
                problem = "body is not JSON";
            }
        }

        using (document)
        {
            if (problem is not null || document is null)
                return Result(status, NotificationOutcome.Failed, $"HTTP {status}, {problem}");
            var root = document.RootElement;

            if (GoogleExchange.TryReadError(root, out var errorCode, out var description))
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
