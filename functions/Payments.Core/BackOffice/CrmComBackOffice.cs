using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;

namespace Payments.Core.BackOffice;

/// <summary>
/// <see cref="IBackOffice"/> on CRM.COM (docs/backoffice.md). A whole-amount refund cancels the posted payment
/// (<c>POST payments/cancel</c>); a partial one is a refund booking (<c>POST refunds/create</c>). Both carry the
/// booking's deterministic <c>back_office_code</c>, which is also the look-up key:
/// <list type="bullet">
/// <item>cancellation: <c>GET payment_cancellations/show?token=…&amp;payment_cancellation_identifier=back_office_code%3D{code}</c></item>
/// <item>refund: <c>GET refunds/show?token=…&amp;refund_identifier=back_office_code%3D{code}</c></item>
/// </list>
/// Never books twice: after a timeout, a transport error, a 5xx, an unparseable answer or a technical envelope
/// error it looks the booking up before creating again; a duplicate-code error or a business refusal is also
/// checked against the look-up (the refusal may be our own earlier booking). Business refusals are
/// <see cref="BookingOutcome.Declined"/>; everything else is a <see cref="BackOfficeFaultException"/>.
/// Neither the password nor a token ever appears in a log line or an exception message.
/// </summary>
public sealed partial class CrmComBackOffice : IBackOffice
{
    /// <summary>Create attempts within one <see cref="BookRefundAsync"/> call (each after a look-up that found nothing).</summary>
    internal const int MaxCreateAttempts = 2;

    private readonly HttpClient _http;
    private readonly CrmComOptions _options;
    private readonly CrmComSession _session;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public CrmComBackOffice(HttpClient http, CrmComOptions options, CrmComSession session, TimeProvider time, ILogger<CrmComBackOffice> logger)
    {
        _http = http;
        _options = options;
        _session = session;
        _time = time;
        _logger = logger;
    }

    private enum Kind { Cancellation, Refund, Payment }

    private static string CreatePath(Kind kind) => kind switch
    {
        Kind.Cancellation => "payments/cancel",
        Kind.Refund => "refunds/create",
        _ => "payments/create",
    };

    /// <summary>The member of the create answer's <c>data</c> that holds the booking (none: <c>data</c> is the payment).</summary>
    private static string? Member(Kind kind) => kind switch
    {
        Kind.Cancellation => "payment_cancellation",
        Kind.Refund => "refund",
        _ => null,
    };

    public async Task<BookingOutcome> BookRefundAsync(RefundBooking booking, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(booking);
        if (string.IsNullOrWhiteSpace(booking.BackOfficeCode)) throw new ArgumentException("BackOfficeCode is required.", nameof(booking));
        if (string.IsNullOrWhiteSpace(booking.PaymentReferenceNumber) && string.IsNullOrWhiteSpace(booking.PaymentBackOfficeCode))
            throw new ArgumentException("PaymentReferenceNumber or PaymentBackOfficeCode is required.", nameof(booking));
        if (!booking.WholeRemaining && booking.AmountMicros <= 0) throw new ArgumentException("AmountMicros must be positive.", nameof(booking));

        var kind = booking.WholeRemaining ? Kind.Cancellation : Kind.Refund;
        return await BookScopedAsync(kind, booking.BackOfficeCode, token => CreateBody(kind, booking, token), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A posted payment (<c>POST payments/create</c>) of a synchronous capture; looked up by its code
    /// (<c>GET payments/show?payment_identifier=back_office_code%3D{code}</c>).</summary>
    public async Task<BookingOutcome> BookPaymentAsync(PaymentBooking booking, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(booking);
        if (string.IsNullOrWhiteSpace(booking.BackOfficeCode)) throw new ArgumentException("BackOfficeCode is required.", nameof(booking));
        if (booking.AmountMicros <= 0) throw new ArgumentException("AmountMicros must be positive.", nameof(booking));
        return await BookScopedAsync(Kind.Payment, booking.BackOfficeCode, token => PaymentBody(booking, token), cancellationToken).ConfigureAwait(false);
    }

    private async Task<BookingOutcome> BookScopedAsync(Kind kind, string code, Func<string, HttpContent> body, CancellationToken cancellationToken)
    {
        using var scope = _logger.BeginScope(new Dictionary<string, object> { ["BackOfficeCode"] = code });
        try
        {
            return await BookAsync(kind, code, body, cancellationToken).ConfigureAwait(false);
        }
        catch (CrmComLoginException ex)
        {
            // No login, no booking for anyone: the back office is unavailable, not this booking at fault.
            throw Fault(kind, code, ex.Message, unavailable: true);
        }
    }

    private async Task<BookingOutcome> BookAsync(Kind kind, string code, Func<string, HttpContent> body, CancellationToken cancellationToken)
    {
        string lastProblem = "no attempt made";
        var lastUnavailable = false;

        for (var attempt = 1; attempt <= MaxCreateAttempts; attempt++)
        {
            LogBooking(_logger, CreatePath(kind), code, attempt);
            var answer = await CallAsync(HttpMethod.Post, CreatePath(kind), body, cancellationToken).ConfigureAwait(false);

            switch (answer)
            {
                case Answer.Ok ok:
                {
                    var id = kind == Kind.Cancellation ? IdOf(ok.Data, "payment_cancellation") : IdOf(ok.Data, Member(kind)) ?? IdOf(ok.Data, null);
                    var bookingId = BookingId(kind, id ?? code);
                    LogBooked(_logger, CreatePath(kind), code, bookingId);
                    return new BookingOutcome.Booked(bookingId);
                }
                case Answer.EnvelopeError error:
                {
                    var (errorKind, decline) = CrmComErrorCodes.Classify(error.Code);
                    LogEnvelopeError(_logger, CreatePath(kind), code, error.Code, error.Message, error.HttpStatus, errorKind.ToString());
                    switch (errorKind)
                    {
                        case CrmComErrorKind.DuplicateBackOfficeCode:
                        {
                            var found = await LookUpAsync(kind, code, cancellationToken).ConfigureAwait(false);
                            if (found is LookUp.Found f) return Booked(kind, code, f.Id, "duplicate back_office_code");
                            throw Fault(kind, code, $"CRM.COM answered {error.Describe()} but the look-up {Describe(found)}", unavailable: IsUnavailable(found));
                        }
                        case CrmComErrorKind.BusinessRefusal:
                        {
                            // The refusal may be caused by our own earlier booking (payment already cancelled,
                            // amount exhausted): the look-up decides.
                            var found = await LookUpAsync(kind, code, cancellationToken).ConfigureAwait(false);
                            switch (found)
                            {
                                case LookUp.Found f:
                                    return Booked(kind, code, f.Id, "refused, but the booking exists already");
                                case LookUp.NotFound:
                                    LogDeclined(_logger, CreatePath(kind), code, error.Code, decline!);
                                    return new BookingOutcome.Declined(decline!, code, $"CRM.COM {error.Code}: {error.Message}");
                                default:
                                    throw Fault(kind, code, $"CRM.COM answered {error.Describe()} and the look-up {Describe(found)}", unavailable: IsUnavailable(found));
                            }
                        }
                        case CrmComErrorKind.Authentication:
                        case CrmComErrorKind.LoginRefused:
                            throw Fault(kind, code, $"CRM.COM refused the authentication: {error.Describe()}", unavailable: true);
                        default:
                            // A technical error: the booking may or may not have been made.
                            lastProblem = $"CRM.COM answered {error.Describe()}";
                            lastUnavailable = IsUnavailable(error);
                            break;
                    }
                    break;
                }
                case Answer.Unclear unclear:
                    lastProblem = unclear.Reason;
                    lastUnavailable = unclear.Unavailable;
                    LogUnclear(_logger, CreatePath(kind), code, unclear.Reason, unclear.Exception);
                    break;
            }

            // Unclear outcome: look the booking up before trying again.
            var lookUp = await LookUpAsync(kind, code, cancellationToken).ConfigureAwait(false);
            switch (lookUp)
            {
                case LookUp.Found f:
                    return Booked(kind, code, f.Id, "found by look-up after an unclear answer");
                case LookUp.NotFound:
                    continue;
                default:
                    throw Fault(kind, code, $"{lastProblem}; the look-up {Describe(lookUp)}", unavailable: IsUnavailable(lookUp));
            }
        }
        throw Fault(kind, code, $"{lastProblem} (after {MaxCreateAttempts} attempts, each followed by a look-up that found nothing)", unavailable: lastUnavailable);
    }

    private BookingOutcome Booked(Kind kind, string code, string? id, string how)
    {
        var bookingId = BookingId(kind, id ?? code);
        LogBookedBy(_logger, CreatePath(kind), code, bookingId, how);
        return new BookingOutcome.Booked(bookingId);
    }

    private static string BookingId(Kind kind, string id) => "crmcom:" + (Member(kind) ?? "payment") + ":" + id;

    private BackOfficeFaultException Fault(Kind kind, string code, string problem, bool unavailable = false)
    {
        var message = $"CRM.COM {CreatePath(kind)} for back_office_code {code}: {problem}";
        LogFault(_logger, CreatePath(kind), code, problem);
        return new BackOfficeFaultException(message, unavailable: unavailable);
    }

    /// <summary>An HTTP status that says CRM.COM (or what stands before it) is down or overloaded, whatever was asked.</summary>
    private static bool IsUnavailableStatus(int status) => status is >= 500 or 429 or 408;

    private static bool IsUnavailable(Answer answer) => answer switch
    {
        Answer.Unclear u => u.Unavailable,
        Answer.EnvelopeError e => IsUnavailableStatus(e.HttpStatus),
        _ => false,
    };

    private static bool IsUnavailable(LookUp lookUp) => lookUp is LookUp.Failed { Unavailable: true };

    private static string Describe(LookUp lookUp) => lookUp switch
    {
        LookUp.Found f => "found " + f.Id,
        LookUp.NotFound => "found nothing",
        LookUp.Failed failed => "failed: " + failed.Reason,
        _ => lookUp.ToString()!,
    };

    private HttpContent CreateBody(Kind kind, RefundBooking booking, string token)
    {
        var reason = string.IsNullOrWhiteSpace(booking.Reason) ? $"Google Standard Payments refund {booking.BackOfficeCode}" : booking.Reason;
        return kind == Kind.Cancellation
            ? Json(new CrmComPaymentCancelRequest(
                token,
                PaymentIdentifier(booking),
                new CrmComIdentifier(Name: _options.PaymentCancellationType),
                booking.BackOfficeCode,
                reason), CrmComJsonContext.Default.CrmComPaymentCancelRequest)
            : Json(new CrmComRefundCreateRequest(
                token,
                PaymentIdentifier(booking),
                new CrmComIdentifier(Name: _options.RefundType),
                MicrosToAmount(booking.AmountMicros),
                booking.BackOfficeCode,
                reason), CrmComJsonContext.Default.CrmComRefundCreateRequest);
    }

    /// <summary>The refunded payment: by our reference number (a paid reference number), or by the back_office_code
    /// of the payment a synchronous capture booked.</summary>
    private static CrmComIdentifier PaymentIdentifier(RefundBooking booking) => booking.PaymentBackOfficeCode is { } code
        ? new CrmComIdentifier(BackOfficeCode: code)
        : new CrmComIdentifier(ReferenceNumber: booking.PaymentReferenceNumber);

    private ByteArrayContent PaymentBody(PaymentBooking booking, string token) =>
        Json(new CrmComPaymentCreateRequest(
            token,
            new CrmComIdentifier(Name: _options.AccountsReceivable),
            new CrmComIdentifier(Name: _options.PaymentType),
            "POSTED",
            new CrmComIdentifier(Name: _options.PaymentMethod),
            MicrosToAmount(booking.AmountMicros),
            booking.BackOfficeCode,
            booking.Notes), CrmComJsonContext.Default.CrmComPaymentCreateRequest);

    /// <summary>Exact: micros / 1 000 000 as a decimal (1 230 000 → 1.23).</summary>
    public static decimal MicrosToAmount(long micros) => micros / 1_000_000m;

    private static ByteArrayContent Json<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    // ---- look-up --------------------------------------------------------------------------------------------

    private abstract record LookUp
    {
        public sealed record Found(string? Id) : LookUp;
        public sealed record NotFound : LookUp;
        public sealed record Failed(string Reason, bool Unavailable = false) : LookUp;
    }

    private async Task<LookUp> LookUpAsync(Kind kind, string code, CancellationToken cancellationToken)
    {
        var (path, identifier) = kind switch
        {
            Kind.Cancellation => ("payment_cancellations/show", "payment_cancellation_identifier"),
            Kind.Refund => ("refunds/show", "refund_identifier"),
            _ => ("payments/show", "payment_identifier"),
        };
        var answer = await CallAsync(HttpMethod.Get, path, token => null, cancellationToken,
            query: token => $"token={Uri.EscapeDataString(token)}&{identifier}={Uri.EscapeDataString("back_office_code=" + code)}").ConfigureAwait(false);
        LookUp result = answer switch
        {
            Answer.Ok ok when ok.Data.ValueKind == JsonValueKind.Object && (IdOf(ok.Data, null) ?? IdOf(ok.Data, Member(kind))) is { } id
                => new LookUp.Found(id),
            Answer.Ok => new LookUp.Failed("answered OK without the object"),
            Answer.EnvelopeError e when CrmComErrorCodes.Classify(e.Code).Kind == CrmComErrorKind.NotFound => new LookUp.NotFound(),
            Answer.EnvelopeError e => new LookUp.Failed("answered " + e.Describe(), IsUnavailable(e)),
            Answer.Unclear u => new LookUp.Failed(u.Reason, u.Unavailable),
            _ => new LookUp.Failed("unexpected answer"),
        };
        LogLookUp(_logger, path, code, Describe(result));
        return result;
    }

    private static string? IdOf(JsonElement data, string? member)
    {
        if (data.ValueKind != JsonValueKind.Object) return null;
        var obj = data;
        if (member is not null && (!data.TryGetProperty(member, out obj) || obj.ValueKind != JsonValueKind.Object)) return null;
        foreach (var name in (ReadOnlySpan<string>)["id", "number"])
        {
            if (obj.TryGetProperty(name, out var v))
            {
                if (v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s) return s;
                if (v.ValueKind == JsonValueKind.Number) return v.GetRawText();
            }
        }
        return null;
    }

    // ---- calls ----------------------------------------------------------------------------------------------

    private abstract record Answer
    {
        public sealed record Ok(JsonElement Data) : Answer;
        public sealed record EnvelopeError(string Code, string? Message, int HttpStatus) : Answer
        {
            public string Describe() => $"{Code} ({(Message is null ? "no message" : Message)}, HTTP {HttpStatus})";
        }
        /// <param name="Unavailable">no answer (timeout, transport error) or an HTTP status of a service that is down</param>
        public sealed record Unclear(string Reason, Exception? Exception = null, bool Unavailable = false) : Answer;
    }

    /// <summary>Calls with the cached token (a failed login throws <see cref="CrmComLoginException"/>: nothing was
    /// booked then); on an authentication error logs in once more and retries once.</summary>
    private async Task<Answer> CallAsync(HttpMethod method, string path, Func<string, HttpContent?> body, CancellationToken cancellationToken, Func<string, string>? query = null)
    {
        var token = await _session.GetTokenAsync(LoginAsync, _options, _time, cancellationToken).ConfigureAwait(false);
        var answer = await SendAsync(method, path, body(token), query?.Invoke(token), cancellationToken).ConfigureAwait(false);
        if (answer is Answer.EnvelopeError error && CrmComErrorCodes.Classify(error.Code).Kind == CrmComErrorKind.Authentication)
        {
            LogRelogin(_logger, path, error.Code);
            _session.Invalidate(token);
            token = await _session.GetTokenAsync(LoginAsync, _options, _time, cancellationToken).ConfigureAwait(false);
            answer = await SendAsync(method, path, body(token), query?.Invoke(token), cancellationToken).ConfigureAwait(false);
        }
        return answer;
    }

    private async Task<string> LoginAsync(CancellationToken cancellationToken)
    {
        var request = new CrmComLoginRequest(_options.Username, _options.Password, _options.Organisation, _options.Unit);
        var answer = await SendAsync(HttpMethod.Post, "authentication/token", Json(request, CrmComJsonContext.Default.CrmComLoginRequest), null, cancellationToken).ConfigureAwait(false);
        switch (answer)
        {
            case Answer.Ok ok when ok.Data.ValueKind == JsonValueKind.Object
                                   && ok.Data.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String
                                   && t.GetString() is { Length: > 0 } token:
                LogLoggedIn(_logger, _options.Username);
                return token;
            case Answer.Ok:
                throw new CrmComLoginException("login answered OK without data.token");
            case Answer.EnvelopeError e:
                LogLoginRefused(_logger, _options.Username, e.Code, e.Message);
                throw new CrmComLoginException("login refused: " + e.Describe());
            case Answer.Unclear u:
                throw new CrmComLoginException("login failed: " + u.Reason);
            default:
                throw new CrmComLoginException("login failed");
        }
    }

    private sealed class CrmComLoginException(string message) : Exception(message);

    /// <summary>One HTTP call with the per-call timeout; parses the envelope. Never throws but for the caller's cancellation.</summary>
    private async Task<Answer> SendAsync(HttpMethod method, string path, HttpContent? content, string? query, CancellationToken cancellationToken)
    {
        var uri = new Uri(_options.ApiRoot, query is null ? path : path + "?" + query);
        using var request = new HttpRequestMessage(method, uri) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var started = Stopwatch.GetTimestamp();
        byte[] bytes;
        int status;
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
            status = (int)response.StatusCode;
            bytes = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException ex)
        {
            return new Answer.Unclear($"{method} {path} timed out after {_options.Timeout.TotalSeconds:0.###} s", ex, Unavailable: true);
        }
        catch (HttpRequestException ex)
        {
            return new Answer.Unclear($"{method} {path} transport error: {ex.HttpRequestError}", ex, Unavailable: true);
        }
        finally
        {
            LogCall(_logger, method.Method, path, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        CrmComEnvelope? envelope;
        try
        {
            envelope = bytes.Length == 0 ? null : JsonSerializer.Deserialize(bytes, CrmComJsonContext.Default.CrmComEnvelope);
        }
        catch (JsonException)
        {
            envelope = null;
        }
        var statusCode = envelope?.Status?.Code;
        if (string.IsNullOrWhiteSpace(statusCode))
            return new Answer.Unclear($"{method} {path} answered HTTP {status} without a CRM.COM envelope", Unavailable: IsUnavailableStatus(status));
        if (string.Equals(statusCode, CrmComErrorCodes.Ok, StringComparison.OrdinalIgnoreCase))
        {
            if (status is >= 200 and < 300) return new Answer.Ok(envelope!.Data.ValueKind == JsonValueKind.Undefined ? default : envelope.Data.Clone());
            return new Answer.Unclear($"{method} {path} answered HTTP {status} with status OK", Unavailable: IsUnavailableStatus(status));
        }
        return new Answer.EnvelopeError(statusCode, envelope!.Status!.Message, status);
    }

    // ---- logs (structured; never a token or the password) ------------------------------------------------------

    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "CRM.COM {Path} for back_office_code {BackOfficeCode}, attempt {Attempt}")]
    private static partial void LogBooking(ILogger logger, string path, string backOfficeCode, int attempt);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "CRM.COM {Path} booked back_office_code {BackOfficeCode} as {BookingId}")]
    private static partial void LogBooked(ILogger logger, string path, string backOfficeCode, string bookingId);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "CRM.COM {Path}: back_office_code {BackOfficeCode} is booked as {BookingId} ({How})")]
    private static partial void LogBookedBy(ILogger logger, string path, string backOfficeCode, string bookingId, string how);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "CRM.COM {Path} for back_office_code {BackOfficeCode} answered {CrmComCode} ({CrmComMessage}, HTTP {HttpStatus}): {Classification}")]
    private static partial void LogEnvelopeError(ILogger logger, string path, string backOfficeCode, string crmComCode, string? crmComMessage, int httpStatus, string classification);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Information, Message = "CRM.COM {Path} declined back_office_code {BackOfficeCode}: {CrmComCode} → {RefundResult}")]
    private static partial void LogDeclined(ILogger logger, string path, string backOfficeCode, string crmComCode, string refundResult);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Warning, Message = "CRM.COM {Path} for back_office_code {BackOfficeCode}: unclear outcome ({Reason}); looking the booking up")]
    private static partial void LogUnclear(ILogger logger, string path, string backOfficeCode, string reason, Exception? exception);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Information, Message = "CRM.COM {Path} look-up of back_office_code {BackOfficeCode}: {Result}")]
    private static partial void LogLookUp(ILogger logger, string path, string backOfficeCode, string result);

    [LoggerMessage(EventId = 4107, Level = LogLevel.Error, Message = "CRM.COM {Path} for back_office_code {BackOfficeCode} failed: {Problem}")]
    private static partial void LogFault(ILogger logger, string path, string backOfficeCode, string problem);

    [LoggerMessage(EventId = 4108, Level = LogLevel.Information, Message = "CRM.COM {Path} answered {CrmComCode}: logging in again once")]
    private static partial void LogRelogin(ILogger logger, string path, string crmComCode);

    [LoggerMessage(EventId = 4109, Level = LogLevel.Information, Message = "CRM.COM login as {Username} succeeded")]
    private static partial void LogLoggedIn(ILogger logger, string username);

    [LoggerMessage(EventId = 4110, Level = LogLevel.Error, Message = "CRM.COM login as {Username} refused: {CrmComCode} ({CrmComMessage})")]
    private static partial void LogLoginRefused(ILogger logger, string username, string crmComCode, string? crmComMessage);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Debug, Message = "CRM.COM {Method} {Path} took {ElapsedMs} ms")]
    private static partial void LogCall(ILogger logger, string method, string path, double elapsedMs);
}
