using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Payments.Core.Security;

namespace Payments.StandIns.Google;

/// <summary>
/// A local stand-in for Google's notification endpoints: <c>POST {BaseUrl}/{api}-v{N}/{method}/{PIAID}</c> for
/// <c>refundable-one-time-payment-code-v{1,2}/refundResultNotification</c>,
/// <c>redirect-payment-token-v1/cancelFundsReservationResultNotification</c> and
/// <c>refundable-one-time-payment-code-v{1,2}/referenceNumberPaidNotification</c> (docs/protocol.md §2, §3). Bodies are opened and
/// answers sealed with the <see cref="IMessageEnvelope"/> the test supplies (Google's side of the scheme).
/// Records every call; enforces the header style of the version, the PIAID of the URL, the 60 s timestamp window, and
/// the immutability of an accepted result per requestId (a different result is refused with 412
/// <c>IDEMPOTENCY_VIOLATION</c> and recorded in <see cref="Violations"/>).
/// </summary>
public sealed class GoogleStandIn : IAsyncDisposable
{
    private const string PathPrefix = "/gsp/";

    private static readonly HashSet<(string Route, int Version)> Known =
    [
        ("refundable-one-time-payment-code/refundResultNotification", 1),
        ("redirect-payment-token/cancelFundsReservationResultNotification", 1),
        ("refundable-one-time-payment-code/referenceNumberPaidNotification", 1),
        ("refundable-one-time-payment-code/referenceNumberPaidNotification", 2),
        ("refundable-one-time-payment-code/refundResultNotification", 2),
    ];

    /// <summary>The members of a v2 refund result (docs/protocol.md, "Decisions: cancel v1, refund v2").</summary>
    public static readonly IReadOnlySet<string> RefundResultsV2 = new HashSet<string>(StringComparer.Ordinal)
    {
        "success", "accountClosed", "accountClosedAccountTakenOver", "accountClosedFraud", "accountOnHold",
        "refundExceedsMaximumBalance", "refundWindowExceeded", "noMoneyLeftOnTransaction",
    };

    private readonly object _lock = new();
    private readonly IMessageEnvelope _envelope;
    private readonly List<ReceivedNotification> _received = [];
    private readonly List<GoogleViolation> _violations = [];
    private readonly Dictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Method, string Fingerprint, ReceivedNotification First)> _accepted = new(StringComparer.Ordinal);
    private GoogleFaultPolicy _policy = GoogleFaultPolicy.None;
    private Random _random = new(1);
    private int _calls;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _app;

    private GoogleStandIn(IMessageEnvelope envelope) => _envelope = envelope;

    /// <summary>What <c>Google__BaseUrl</c> is set to: <c>http://127.0.0.1:{port}/gsp</c> (no trailing slash).</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Allowed distance of <c>requestTimestamp</c> from the stand-in's clock.</summary>
    public TimeSpan TimestampWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Called for every accepted call (outside the stand-in's lock).</summary>
    public event Action<ReceivedNotification>? Accepted;

    public static async Task<GoogleStandIn> StartAsync(IMessageEnvelope envelope, GoogleFaultPolicy? policy = null, CancellationToken cancellationToken = default)
    {
        var standIn = new GoogleStandIn(envelope);
        if (policy is not null) standIn.Policy = policy;
        var (app, root) = await StandInWebHost.StartAsync(standIn.HandleAsync, cancellationToken).ConfigureAwait(false);
        standIn._app = app;
        standIn.BaseUrl = new Uri(root, PathPrefix.TrimEnd('/'));
        return standIn;
    }

    /// <summary>The fault policy; setting it re-seeds the random draw and restarts the call count of <see cref="GoogleFaultPolicy.RefuseBeyondCalls"/>.</summary>
    public GoogleFaultPolicy Policy
    {
        get { lock (_lock) return _policy; }
        set
        {
            lock (_lock)
            {
                _policy = value ?? GoogleFaultPolicy.None;
                _random = new Random(_policy.RandomSeed);
                _calls = 0;
            }
        }
    }

    public IReadOnlyList<ReceivedNotification> Received
    {
        get { lock (_lock) return _received.ToList(); }
    }

    /// <summary>The first accepted call of each requestId.</summary>
    public IReadOnlyList<ReceivedNotification> AcceptedNotifications
    {
        get { lock (_lock) return _accepted.Values.Select(a => a.First).OrderBy(n => n.ReceivedAt).ToList(); }
    }

    public IReadOnlyList<GoogleViolation> Violations
    {
        get { lock (_lock) return _violations.ToList(); }
    }

    /// <summary>Every call carrying this notification requestId, in order.</summary>
    public IReadOnlyList<ReceivedNotification> AttemptsFor(string requestId)
    {
        lock (_lock) return _received.Where(r => r.RequestId == requestId).ToList();
    }

    public bool IsAccepted(string requestId)
    {
        lock (_lock) return _accepted.ContainsKey(requestId);
    }

    /// <summary>Waits until at least <paramref name="count"/> distinct requestIds were accepted; false on timeout.</summary>
    public Task<bool> WaitForAcceptedAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default)
        => WaitAsync(() => _accepted.Count >= count, timeout, cancellationToken);

    /// <summary>Waits until this requestId was accepted; false on timeout.</summary>
    public Task<bool> WaitForAcceptedAsync(string requestId, TimeSpan timeout, CancellationToken cancellationToken = default)
        => WaitAsync(() => _accepted.ContainsKey(requestId), timeout, cancellationToken);

    /// <summary>Waits until at least <paramref name="count"/> calls were received (accepted or not); false on timeout.</summary>
    public Task<bool> WaitForCallsAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default)
        => WaitAsync(() => _received.Count >= count, timeout, cancellationToken);

    private async Task<bool> WaitAsync(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (condition()) return true;
                changed = _changed.Task;
            }
            var remaining = deadline - DateTimeOffset.UtcNow;
            if (remaining <= TimeSpan.Zero) return false;
            await Task.WhenAny(changed, Task.Delay(remaining, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    public void Reset()
    {
        lock (_lock)
        {
            _received.Clear();
            _violations.Clear();
            _attempts.Clear();
            _accepted.Clear();
            _calls = 0;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _app.StopAsync(stop.Token).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    // ---- HTTP ---------------------------------------------------------------------------------------------------

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (context.Request.Method != "POST" || !path.StartsWith(PathPrefix, StringComparison.Ordinal))
        {
            context.Response.StatusCode = 404;
            return;
        }
        var segments = path[PathPrefix.Length..].Split('/');
        var dash = segments.Length == 3 ? segments[0].LastIndexOf("-v", StringComparison.Ordinal) : -1;
        if (dash <= 0 || !int.TryParse(segments[0][(dash + 2)..], NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            || !Known.Contains((segments[0][..dash] + "/" + segments[1], version)) || segments[2].Length == 0)
        {
            context.Response.StatusCode = 404;
            return;
        }
        var api = segments[0][..dash];
        var method = segments[1];
        var piaid = Uri.UnescapeDataString(segments[2]);
        var v2 = version == 2;

        // Our calls declare the type of the mode's bodies (docs/protocol.md §7), as Google's do.
        if (string.IsNullOrEmpty(context.Request.ContentType) || !Payments.Core.Hosting.RequestContentType.IsAccepted(context.Request.ContentType, _envelope.ContentType))
            Violation(method, null, "content-type", $"Content-Type '{context.Request.ContentType}' is not {_envelope.ContentType}");
        var body = await StandInWebHost.ReadBodyAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        JsonObject json;
        try
        {
            var opened = _envelope.Open(body);
            json = JsonNode.Parse(opened, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject
                   ?? throw new JsonException("not an object");
        }
        catch (EnvelopeException ex)
        {
            Violation(method, null, "envelope", ex.Failure.ToString());
            context.Response.StatusCode = ex.Failure == EnvelopeFailure.InvalidSignature ? 401 : 400;
            return;
        }
        catch (JsonException ex)
        {
            Violation(method, null, "json", ex.Message);
            await WriteErrorAsync(context, v2, 400, "INVALID_DECRYPTED_REQUEST", "The request is not a JSON object").ConfigureAwait(false);
            return;
        }

        // Header and identity checks a real Google makes.
        var header = json["requestHeader"] as JsonObject;
        var requestId = Text(header?["requestId"]);
        var problem = CheckHeader(header, v2, requestId, out var timestamp);
        var bodyPiaid = v2 ? Text(header?["paymentIntegratorAccountId"]) : Text(json["paymentIntegratorAccountId"]);
        if (problem is null && bodyPiaid != piaid) problem = ("INVALID_IDENTIFIER", 404, $"PIAID in the body ({bodyPiaid ?? "none"}) differs from the URL");
        if (problem is null && timestamp is { } ts && Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - ts) > TimestampWindow.TotalMilliseconds)
            problem = ("REQUEST_TIMESTAMP_OUT_OF_RANGE", 400, "requestTimestamp is more than 60 s off");
        if (problem is null) problem = CheckFields(method, version, json);

        var fields = Flatten(json);
        var fingerprint = string.Join("\n", fields.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value));
        var received = DateTimeOffset.UtcNow;
        var raw = json.ToJsonString();

        if (problem is { } p)
        {
            Violation(method, requestId, p.Code, p.Detail);
            Record(new ReceivedNotification(api, version, method, piaid, requestId ?? "", timestamp, fields, received, 0, GoogleFault.None, p.Status, false, raw));
            await WriteErrorAsync(context, v2, p.Status, p.Code, p.Detail).ConfigureAwait(false);
            return;
        }

        int attempt;
        GoogleFault fault;
        GoogleFaultPolicy policy;
        lock (_lock)
        {
            policy = _policy;
            attempt = _attempts[requestId!] = _attempts.GetValueOrDefault(requestId!) + 1;
            var call = ++_calls;
            fault = policy.Custom?.Invoke(new GoogleCall(method, piaid, requestId!, attempt, call)) ?? GoogleFault.None;
            if (fault == GoogleFault.None && attempt <= policy.FailFirstAttempts) fault = policy.FirstAttemptsFault;
            if (fault == GoogleFault.None && policy.RefuseBeyondCalls is { } k && call > k) fault = policy.RefusalFault;
            if (fault == GoogleFault.None && policy.RandomFailureShare > 0 && _random.NextDouble() < policy.RandomFailureShare) fault = policy.RandomFault;
        }

        if (policy.Latency > TimeSpan.Zero)
        {
            try { await Task.Delay(policy.Latency, context.RequestAborted).ConfigureAwait(false); }
            catch (OperationCanceledException) { }
        }

        switch (fault)
        {
            case GoogleFault.ServiceUnavailable:
                Record(new ReceivedNotification(api, version, method, piaid, requestId!, timestamp, fields, received, attempt, fault, 503, false, raw));
                context.Response.StatusCode = 503;
                return;
            case GoogleFault.Hang:
                Record(new ReceivedNotification(api, version, method, piaid, requestId!, timestamp, fields, received, attempt, fault, 0, false, raw));
                try
                {
                    await Task.Delay(policy.HangFor, context.RequestAborted).ConfigureAwait(false);
                    context.Response.StatusCode = 503;
                }
                catch (OperationCanceledException)
                {
                    // the client gave up
                }
                return;
            case GoogleFault.GarbageOk:
                Record(new ReceivedNotification(api, version, method, piaid, requestId!, timestamp, fields, received, attempt, fault, 200, false, raw));
                context.Response.StatusCode = 200;
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync("<html><body>502 Bad Gateway (upstream)</body></html>", context.RequestAborted).ConfigureAwait(false);
                return;
            case GoogleFault.ErrorResponse:
                Record(new ReceivedNotification(api, version, method, piaid, requestId!, timestamp, fields, received, attempt, fault, policy.ErrorResponseStatus, false, raw));
                await WriteErrorAsync(context, v2, policy.ErrorResponseStatus, policy.ErrorResponseCode, "Injected failure").ConfigureAwait(false);
                return;
        }

        // Accept, unless it contradicts a result already accepted under this requestId.
        ReceivedNotification notification;
        bool violation;
        lock (_lock)
        {
            violation = _accepted.TryGetValue(requestId!, out var first) && (first.Method != method || first.Fingerprint != fingerprint);
            notification = new ReceivedNotification(api, version, method, piaid, requestId!, timestamp, fields, received, attempt, GoogleFault.None, violation ? 412 : 200, !violation, raw);
            if (!violation && first.First is null) _accepted[requestId!] = (method, fingerprint, notification);
        }
        if (violation)
        {
            Violation(method, requestId, "IDEMPOTENCY_VIOLATION", "a different result for an already accepted requestId");
            Record(notification);
            await WriteErrorAsync(context, v2, 412, "IDEMPOTENCY_VIOLATION", "A different notification was already accepted under this requestId").ConfigureAwait(false);
            return;
        }
        Record(notification);
        Accepted?.Invoke(notification);
        var response = new JsonObject { ["responseHeader"] = ResponseHeader(v2) };
        response["result"] = (method, version) switch
        {
            ("refundResultNotification", _) => new JsonObject { ["accepted"] = new JsonObject() },
            ("referenceNumberPaidNotification", 2) => new JsonObject { ["success"] = new JsonObject() },
            _ => JsonValue.Create("SUCCESS"),
        };
        await WriteSealedAsync(context, 200, response).ConfigureAwait(false);
    }

    private static (string Code, int Status, string Detail)? CheckHeader(JsonObject? header, bool v2, string? requestId, out long? timestamp)
    {
        timestamp = null;
        if (header is null) return ("MISSING_REQUIRED_FIELD", 400, "requestHeader is missing");
        if (requestId is null || requestId.Length is 0 or > 100 || !requestId.All(c => char.IsAsciiLetterOrDigit(c) || c is ':' or '-' or '_'))
            return ("INVALID_FIELD_VALUE", 400, "requestId is missing or malformed");
        if (header["protocolVersion"] is not JsonObject pv || pv["major"] is not JsonValue major || !major.TryGetValue<int>(out var m) || m != (v2 ? 2 : 1))
            return ("INVALID_API_VERSION", 400, "protocolVersion.major does not match the URL");
        if (!v2 && (pv["minor"] is null || pv["revision"] is null))
            return ("MISSING_REQUIRED_FIELD", 400, "v1 protocolVersion needs major, minor and revision");
        var ts = v2 ? (header["requestTimestamp"] as JsonObject)?["epochMillis"] : header["requestTimestamp"];
        if (Text(ts) is not { } t || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
            return ("INVALID_FIELD_VALUE", 400, v2 ? "requestTimestamp must be {epochMillis: \"<int64>\"}" : "requestTimestamp must be a string of epoch ms");
        timestamp = ms;
        if (!v2 && header["paymentIntegratorAccountId"] is not null)
            return ("INVALID_FIELD_VALUE", 400, "v1 carries paymentIntegratorAccountId in the body, not the header");
        return null;
    }

    private static (string Code, int Status, string Detail)? CheckFields(string method, int version, JsonObject json)
    {
        string[] required = (method, version) switch
        {
            ("refundResultNotification", 2) => ["refundRequestId", "paymentIntegratorRefundId"],
            ("refundResultNotification", _) => ["paymentIntegratorAccountId", "refundRequestId", "refundResult"],
            ("cancelFundsReservationResultNotification", _) => ["paymentIntegratorAccountId", "cancelFundsReservationRequestId", "cancelFundsReservationResult"],
            ("referenceNumberPaidNotification", 1) => ["paymentIntegratorAccountId", "paymentIntegratorTransactionId", "referenceNumber", "paymentTimestamp"],
            _ => ["paymentIntegratorTransactionId", "generateReferenceNumberRequestId"],
        };
        var missing = required.Where(r => Text(json[r]) is not { Length: > 0 }).ToList();
        if (version == 2 && method == "referenceNumberPaidNotification" && Text((json["paymentTimestamp"] as JsonObject)?["epochMillis"]) is null)
            missing.Add("paymentTimestamp.epochMillis");
        if (version == 2 && method == "refundResultNotification" && json["result"] is null) missing.Add("result");
        if (missing.Count > 0) return ("MISSING_REQUIRED_FIELD", 400, "missing: " + string.Join(", ", missing));
        if (version == 2 && method == "refundResultNotification"
            && (json["result"] is not JsonObject result || result.Count != 1 || !RefundResultsV2.Contains(result.First().Key) || result.First().Value is not JsonObject))
            return ("INVALID_FIELD_VALUE", 400, "result must be exactly one of " + string.Join(", ", RefundResultsV2) + ", each an object");
        return null;
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static Dictionary<string, string> Flatten(JsonObject json)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        void Walk(JsonNode? node, string path)
        {
            switch (node)
            {
                case JsonObject { Count: 0 }:
                    // A union member without fields (result: {success: {}}) is the value itself.
                    fields[path] = "{}";
                    break;
                case JsonObject obj:
                    foreach (var (name, child) in obj) Walk(child, path.Length == 0 ? name : path + "." + name);
                    break;
                case JsonValue value:
                    fields[path] = value.TryGetValue<string>(out var s) ? s : value.ToJsonString();
                    break;
                case JsonArray array:
                    fields[path] = array.ToJsonString();
                    break;
            }
        }
        foreach (var (name, child) in json)
            if (name != "requestHeader") Walk(child, name);
        return fields;
    }

    private static JsonObject ResponseHeader(bool v2)
    {
        var ms = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        return v2
            ? new JsonObject { ["responseTimestamp"] = new JsonObject { ["epochMillis"] = ms } }
            : new JsonObject { ["responseTimestamp"] = ms };
    }

    private Task WriteErrorAsync(HttpContext context, bool v2, int status, string code, string description)
    {
        var error = new JsonObject { ["responseHeader"] = ResponseHeader(v2) };
        if (v2) error["errorResponseResult"] = new JsonObject { [CamelMember(code)] = new JsonObject() };
        else error["errorResponseCode"] = code;
        error["errorDescription"] = description;
        return WriteSealedAsync(context, status, error);
    }

    /// <summary>INVALID_FIELD_VALUE → invalidFieldValue.</summary>
    internal static string CamelMember(string code)
    {
        var parts = code.ToLowerInvariant().Split('_', StringSplitOptions.RemoveEmptyEntries);
        return parts[0] + string.Concat(parts.Skip(1).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
    }

    private async Task WriteSealedAsync(HttpContext context, int status, JsonObject body)
    {
        var sealedBody = _envelope.Seal(Encoding.UTF8.GetBytes(body.ToJsonString()));
        context.Response.StatusCode = status;
        context.Response.ContentType = _envelope.ContentType;
        await context.Response.Body.WriteAsync(sealedBody, context.RequestAborted).ConfigureAwait(false);
    }

    private void Record(ReceivedNotification notification)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _received.Add(notification);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }

    private void Violation(string method, string? requestId, string rule, string detail)
    {
        lock (_lock) _violations.Add(new GoogleViolation(method, requestId, rule, detail, DateTimeOffset.UtcNow));
    }
}
