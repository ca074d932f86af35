using System.Collections.Frozen;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Azure;
using Payments.Core.Storage;

namespace Payments.Core.Protocol;

/// <summary>
/// Hosting-agnostic processing of one protocol call (docs/protocol.md §3–§5): strict parse, the validation
/// order Google expects (version, required fields, requestId, timestamp, PIAID, field values), then
/// the method's handler. Every failure becomes an ErrorResponse with its status; nothing is stored.
/// </summary>
public sealed partial class ProtocolProcessor
{
    /// <summary>docs/protocol.md §3: requests more than 60 s off our clock are refused.</summary>
    public static readonly TimeSpan TimestampTolerance = TimeSpan.FromSeconds(60);

    private readonly FrozenDictionary<ProtocolMethod, IProtocolHandler> _handlers;
    private readonly PaymentsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ProtocolProcessor> _logger;

    public ProtocolProcessor(IEnumerable<IProtocolHandler> handlers, PaymentsOptions options, TimeProvider time, ILogger<ProtocolProcessor> logger)
    {
        _handlers = handlers.ToFrozenDictionary(h => h.Method);
        _options = options;
        _time = time;
        _logger = logger;
        var unserved = ProtocolMethods.All.Where(m => !_handlers.ContainsKey(m)).ToList();
        if (unserved.Count > 0) throw new InvalidOperationException("no handler for " + string.Join(", ", unserved));
    }

    public async Task<ProtocolResponse> ProcessAsync(ProtocolMethod method, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var keys = new CallKeys();
        using var scope = _logger.BeginScope(keys);
        try
        {
            var handler = _handlers[method];
            ProtocolCall call;
            using (var document = StrictJson.Parse(json))
            {
                call = Validate(handler, document.RootElement, keys);
            }
            var payload = await handler.ExecuteAsync(call, cancellationToken);
            var body = ResponseWriter.Success(method.Style, payload, _time.GetUtcNow().ToUnixTimeMilliseconds());
            LogServed(_logger, method.Route, keys.RequestId, 200, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return new ProtocolResponse(200, body, null);
        }
        catch (ProtocolException e)
        {
            return Refused(method, keys.RequestId, e.Error);
        }
        catch (Azure.RequestFailedException e) when (e.Status == 400 && IsValueStorageCannotHold(e.ErrorCode))
        {
            // Validation bounds every stored field below storage's limits; should one still be exceeded the
            // value is the caller's, and the ledger has given back everything the call wrote.
            return Refused(method, keys.RequestId, new ProtocolError(ErrorCode.InvalidFieldValue, "a field value is too large to be stored"));
        }
        catch (ConcurrencyConflictException e)
        {
            var errorId = NewErrorIdentifier();
            LogConflict(_logger, method.Route, keys.RequestId, errorId, e.Message);
            return new ProtocolResponse(409, null, errorId);
        }
        catch (AnswerPendingException e)
        {
            var errorId = NewErrorIdentifier();
            LogShed(_logger, method.Route, keys.RequestId, errorId, e.Message);
            return new ProtocolResponse(503, null, errorId);
        }
        catch (LoadSheddingException e)
        {
            // Shedding load: nothing was written; Google retries. Information, not Warning: the
            // backlog itself is logged once as a Warning when shedding starts.
            var errorId = NewErrorIdentifier();
            LogShed(_logger, method.Route, keys.RequestId, errorId, e.Message);
            return new ProtocolResponse(503, null, errorId);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // A dependency that is down is 503 (Google retries); anything else is our fault, 500.
            var errorId = NewErrorIdentifier();
            if (IsDependencyDown(e))
            {
                // Expected during an outage: one line, not a stack trace per request.
                LogDependencyDown(_logger, method.Route, keys.RequestId, errorId, e.GetType().Name, Truncate(e.Message, 200));
                return new ProtocolResponse(503, null, errorId);
            }
            const int status = 500;
            LogFault(_logger, e, method.Route, keys.RequestId, status, errorId);
            return new ProtocolResponse(status, null, errorId);
        }
    }

    /// <summary>A call refused before its body is parsed (a Content-Type the security mode does not
    /// carry): the ErrorResponse, logged like any other refusal.</summary>
    public ProtocolResponse Refuse(ProtocolMethod method, ProtocolError error) => Refused(method, null, error);

    /// <summary>The ErrorResponse of a refused call, with its status and a new errorIdentifier, logged.</summary>
    private ProtocolResponse Refused(ProtocolMethod method, string? requestId, ProtocolError error)
    {
        var errorId = NewErrorIdentifier();
        var status = error.Code.HttpStatus();
        LogRefused(_logger, method.Route, requestId, status, error.Code.V1Name(), errorId, error.Description);
        return new ProtocolResponse(status, ResponseWriter.Error(method.Style, error, errorId, _time.GetUtcNow().ToUnixTimeMilliseconds()), errorId);
    }

    private ProtocolCall Validate(IProtocolHandler handler, JsonElement root, CallKeys keys)
    {
        var method = handler.Method;
        ProtocolRequest request;
        try
        {
            request = handler.Deserialize(root);
        }
        catch (JsonException e)
        {
            throw ProtocolException.InvalidField("field has the wrong type or value: " + StrictJson.Describe(e));
        }
        var header = request.RequestHeader;
        keys.RequestId = header?.RequestId is { } id && RequestRules.IsValidRequestId(id) ? id : null;

        // 1. Version: the major must be the route's.
        if (header?.ProtocolVersion?.Major is { } major && major != method.Version)
            throw new ProtocolException(new ProtocolError(ErrorCode.InvalidApiVersion,
                $"protocolVersion.major {major} is not served on this route (expected {method.Version})")
                { RequestMajorVersion = major, ExpectedMajorVersion = method.Version });

        // 2. Required fields, every missing one named.
        var missing = new List<string>();
        if (header is null) missing.Add("requestHeader");
        else
        {
            if (header.ProtocolVersion?.Major is null) missing.Add("requestHeader.protocolVersion.major");
            if (string.IsNullOrEmpty(header.RequestId)) missing.Add("requestHeader.requestId");
            if (header.RequestTimestamp is null) missing.Add("requestHeader.requestTimestamp");
            if (method.Style == HeaderStyle.V2 && string.IsNullOrEmpty(header.PaymentIntegratorAccountId))
                missing.Add("requestHeader.paymentIntegratorAccountId");
        }
        var piaidInBody = method.Style == HeaderStyle.V1 && handler.IsMutating;
        if (piaidInBody && string.IsNullOrEmpty(request.PaymentIntegratorAccountId)) missing.Add("paymentIntegratorAccountId");
        handler.CollectMissing(request, missing);
        if (missing.Count > 0) throw ProtocolException.Missing(missing);

        // 3. requestId: length and charset.
        var requestId = header?.RequestId;
        if (!RequestRules.IsValidRequestId(requestId))
            throw ProtocolException.InvalidField("requestHeader.requestId must be 1-100 characters of A-Z a-z 0-9 : - _");

        // 4. Timestamp: the header style of the version, within ±60 s of our clock.
        if (header?.RequestTimestamp is not { } timestamp) throw ProtocolException.Missing(["requestHeader.requestTimestamp"]);
        if (timestamp.IsObject != (method.Style == HeaderStyle.V2))
            throw ProtocolException.InvalidField(method.Style == HeaderStyle.V2
                ? "requestHeader.requestTimestamp must be an object {epochMillis}"
                : "requestHeader.requestTimestamp must be a string of epoch milliseconds");
        var now = _time.GetUtcNow();
        // In double: any int64 minus now fits, where a TimeSpan of it would overflow.
        var offsetMs = Math.Abs((double)timestamp.EpochMillis - now.ToUnixTimeMilliseconds());
        if (offsetMs > TimestampTolerance.TotalMilliseconds)
            throw new ProtocolException(new ProtocolError(ErrorCode.RequestTimestampOutOfRange,
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"requestTimestamp is {offsetMs / 1000:0} s away from the integrator's clock (limit 60 s)")));

        // 5. The account: one this deployment serves.
        var piaid = method.Style == HeaderStyle.V2 ? header.PaymentIntegratorAccountId : request.PaymentIntegratorAccountId;
        if (piaid is not null || piaidInBody)
        {
            if (piaid is null || !_options.Serves(piaid))
                throw ProtocolException.UnknownIdentifier("PAYMENT_INTEGRATOR_ACCOUNT_ID", "paymentIntegratorAccountId is not served by this integrator");
            keys.PaymentIntegratorAccountId = piaid;
        }

        // 6. The method's own field rules.
        var validated = handler.Validate(request);

        var fingerprint = handler.IsMutating ? StrictJson.Fingerprint(root, handler.RequestType, method.Style) : "";
        return new ProtocolCall(method, validated, piaid, requestId, fingerprint, now);
    }

    /// <summary>Storage (or another dependency) unreachable or failing on its side: Google should
    /// retry later. Azure.Core gives up with RequestFailedException(0) — sometimes inside an
    /// AggregateException of every try — when the transport fails.</summary>
    public static bool IsDependencyDown(Exception e) => e switch
    {
        AggregateException a => a.InnerExceptions.Count > 0 && a.InnerExceptions.All(IsDependencyDown),
        Azure.RequestFailedException r => r.Status is 0 or 408 or 429 or >= 500,
        HttpRequestException or TimeoutException or IOException or System.Net.Sockets.SocketException => true,
        OperationCanceledException => true, // a dependency's own timeout, not the caller's token (filtered above)
        _ => e.InnerException is { } inner && IsDependencyDown(inner),
    };

    /// <summary>Table Storage's codes for a value it cannot hold.</summary>
    private static bool IsValueStorageCannotHold(string? code) =>
        code is "PropertyValueTooLarge" or "EntityTooLarge" or "KeyValueTooLarge" or "PropertyNameTooLong" or "TooManyProperties" or "OutOfRangeInput";

    /// <summary>Our id for a failed call: in the ErrorResponse and in the log line, so support can find it.</summary>
    private static string NewErrorIdentifier() => "E" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8));

    [LoggerMessage(1, LogLevel.Information, "{Route} requestId={RequestId} status={Status} in {ElapsedMs:0.0} ms")]
    private static partial void LogServed(ILogger logger, string route, string? requestId, int status, double elapsedMs);

    [LoggerMessage(2, LogLevel.Warning, "{Route} requestId={RequestId} status={Status} error={ErrorCode} paymentIntegratorErrorIdentifier={ErrorIdentifier}: {Description}")]
    private static partial void LogRefused(ILogger logger, string route, string? requestId, int status, string errorCode, string errorIdentifier, string description);

    [LoggerMessage(3, LogLevel.Warning, "{Route} requestId={RequestId} status=409 paymentIntegratorErrorIdentifier={ErrorIdentifier}: {Reason}")]
    private static partial void LogConflict(ILogger logger, string route, string? requestId, string errorIdentifier, string reason);

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];

    [LoggerMessage(5, LogLevel.Warning, "{Route} requestId={RequestId} status=503 paymentIntegratorErrorIdentifier={ErrorIdentifier}: storage unavailable ({ErrorType}: {Message})")]
    private static partial void LogDependencyDown(ILogger logger, string route, string? requestId, string errorIdentifier, string errorType, string message);

    [LoggerMessage(6, LogLevel.Information, "{Route} requestId={RequestId} status=503 paymentIntegratorErrorIdentifier={ErrorIdentifier}: {Reason}")]
    private static partial void LogShed(ILogger logger, string route, string? requestId, string errorIdentifier, string reason);

    [LoggerMessage(4, LogLevel.Error, "{Route} requestId={RequestId} status={Status} paymentIntegratorErrorIdentifier={ErrorIdentifier}: internal fault")]
    private static partial void LogFault(ILogger logger, Exception exception, string route, string? requestId, int status, string errorIdentifier);
}
