using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Payments.Core.Idempotency;

namespace Payments.StandIns.CrmCom;

/// <summary>
/// A local CRM.COM (Web API v4, docs/backoffice.md) speaking the real wire format over HTTP under
/// <c>{BaseUrl}crmapi/rest/v2/</c>:
/// <list type="bullet">
/// <item><c>POST authentication/token</c> {username, password, organisation} → <c>data.token</c>; <c>POST authentication/token/release</c></item>
/// <item><c>POST payments/cancel</c> → <c>data.payment</c>, <c>data.payment_cancellation</c></item>
/// <item><c>POST refunds/create</c> {token, payment_identifier, type_identifier, refund_amount, back_office_code, issue_reason} → <c>data.refund</c></item>
/// <item><c>POST payments/create</c> {token, accounts_receivable_identifier, type_identifier, life_cycle_state, payment_method_identifier,
/// payment_amount, back_office_code, notes} → <c>data</c> = the payment</item>
/// <item><c>GET payment_cancellations/show?token&amp;payment_cancellation_identifier=back_office_code=…</c> → <c>data</c> = the cancellation</item>
/// <item><c>GET refunds/show?token&amp;refund_identifier=back_office_code=…</c> → <c>data</c> = the refund</item>
/// <item><c>GET payments/show?token&amp;payment_identifier=reference_number=…</c> (or <c>back_office_code=…</c>) → <c>data</c> = the payment</item>
/// </list>
/// Every answer is the envelope <c>{"status":{"code","message","description"},"data":{...}}</c>; errors come with
/// HTTP 200 (as CRM.COM may do) except injected technical faults (HTTP 500). Enforced: token required and
/// unexpired (<c>INVALID_TOKEN</c> / <c>EXPIRED_TOKEN</c>), unique <c>back_office_code</c>
/// (<c>DUPLICATE_BACK_OFFICE_CODE</c>), payment must be POSTED to cancel or refund, refunds never exceed the payment.
/// </summary>
public sealed class CrmComStandIn : IAsyncDisposable
{
    private const string ApiPrefix = "/crmapi/rest/v2/";

    private readonly object _lock = new();
    private readonly Dictionary<string, DateTimeOffset> _tokens = new(StringComparer.Ordinal);
    private readonly List<string> _issuedTokens = [];
    private readonly Dictionary<string, CrmComPayment> _payments = new(StringComparer.Ordinal);
    private readonly List<CrmComBooking> _bookings = [];
    private readonly HashSet<string> _backOfficeCodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _bookingRequests = new(StringComparer.Ordinal);
    private readonly List<CrmComRequestRecord> _requests = [];
    private int _sequence = 1000;
    private int _logins;
    private int _failedLogins;
    private WebApplication? _app;

    private CrmComStandIn(CrmComStandInOptions options) => Options = options;

    public CrmComStandInOptions Options { get; }
    public CrmComFaults Faults { get; } = new();
    /// <summary>Server root (what <c>BackOffice__CrmCom__BaseUrl</c> is set to), ending in '/'.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    public static async Task<CrmComStandIn> StartAsync(CrmComStandInOptions? options = null, CancellationToken cancellationToken = default)
    {
        var standIn = new CrmComStandIn(options ?? new CrmComStandInOptions());
        var (app, baseUrl) = await StandInWebHost.StartAsync(standIn.HandleAsync, cancellationToken).ConfigureAwait(false);
        standIn._app = app;
        standIn.BaseUrl = baseUrl;
        return standIn;
    }

    // ---- test surface ------------------------------------------------------------------------------------------

    /// <summary>Seeds a payment whose <c>reference_number</c> is ours.</summary>
    public CrmComPayment AddPostedPayment(string referenceNumber, decimal amount, string currency = "USD", string lifeCycleState = "POSTED")
    {
        lock (_lock)
        {
            var payment = new CrmComPayment(NewId(), (++_sequence).ToString(CultureInfo.InvariantCulture), referenceNumber, amount, currency, lifeCycleState, 0m);
            _payments[referenceNumber] = payment;
            return payment;
        }
    }

    public CrmComPayment? GetPayment(string referenceNumber)
    {
        lock (_lock) return _payments.GetValueOrDefault(referenceNumber);
    }

    /// <summary>Every booking made, in order.</summary>
    public IReadOnlyList<CrmComBooking> Bookings
    {
        get { lock (_lock) return _bookings.ToList(); }
    }

    /// <summary>Bookings made with this back_office_code (0 or 1: the code is unique).</summary>
    public int BookingCount(string backOfficeCode)
    {
        lock (_lock) return _bookings.Count(b => b.BackOfficeCode == backOfficeCode);
    }

    /// <summary>Bookings made against the payment, whatever their code (catches a double booking under two codes).</summary>
    public int BookingsForPayment(string referenceNumber)
    {
        lock (_lock) return _bookings.Count(b => b.PaymentReferenceNumber == referenceNumber);
    }

    /// <summary>Booking requests received for this back_office_code, refused ones included.</summary>
    public int BookingRequests(string backOfficeCode)
    {
        lock (_lock) return _bookingRequests.GetValueOrDefault(backOfficeCode);
    }

    public int LoginCount => Volatile.Read(ref _logins);
    public int FailedLoginCount => Volatile.Read(ref _failedLogins);

    /// <summary>Every token issued so far (for tests that check no token leaks into logs).</summary>
    public IReadOnlyList<string> IssuedTokens
    {
        get { lock (_lock) return _issuedTokens.ToList(); }
    }

    public IReadOnlyList<CrmComRequestRecord> Requests
    {
        get { lock (_lock) return _requests.ToList(); }
    }

    /// <summary>Forgets every token (as a server restart or a release would): the next call gets <c>INVALID_TOKEN</c>.</summary>
    public void RevokeAllTokens()
    {
        lock (_lock) _tokens.Clear();
    }

    /// <summary>Makes every current token expired now: the next call gets <c>EXPIRED_TOKEN</c>.</summary>
    public void ExpireAllTokens()
    {
        lock (_lock)
            foreach (var key in _tokens.Keys.ToList())
                _tokens[key] = DateTimeOffset.UtcNow.AddSeconds(-1);
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

    // ---- HTTP ----------------------------------------------------------------------------------------------------

    private sealed class DropConnection : Exception;

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var method = context.Request.Method;
        string? answerCode = null;
        var fault = CrmComFault.None;
        try
        {
            if (Faults.Latency > TimeSpan.Zero) await Task.Delay(Faults.Latency, context.RequestAborted).ConfigureAwait(false);
            if (Faults.Down)
            {
                answerCode = "DOWN";
                context.Response.StatusCode = 503;
                return;
            }
            if (!path.StartsWith(ApiPrefix, StringComparison.Ordinal))
            {
                answerCode = "UNKNOWN_METHOD";
                await WriteAsync(context, 404, Error(answerCode, "Unknown resource")).ConfigureAwait(false);
                return;
            }
            var resource = path[ApiPrefix.Length..];
            (int Status, JsonObject Body) answer;
            switch (method, resource)
            {
                case ("POST", "authentication/token"):
                    answer = Login(await ReadJsonAsync(context).ConfigureAwait(false));
                    break;
                case ("POST", "authentication/token/release"):
                    answer = Release(await ReadJsonAsync(context).ConfigureAwait(false));
                    break;
                case ("POST", "payments/cancel"):
                case ("POST", "refunds/create"):
                case ("POST", "payments/create"):
                {
                    var body = await ReadJsonAsync(context).ConfigureAwait(false);
                    if (Str(body, "back_office_code") is { } requested)
                        lock (_lock) _bookingRequests[requested] = _bookingRequests.GetValueOrDefault(requested) + 1;
                    fault = Faults.NextBookingFault();
                    switch (fault)
                    {
                        case CrmComFault.Http500BeforeBooking:
                            answer = (500, Error(CrmComCodes.InternalError, "Internal server error"));
                            break;
                        case CrmComFault.TechnicalErrorBeforeBooking:
                            answer = (200, Error(CrmComCodes.InternalError, "Could not process the request"));
                            break;
                        case CrmComFault.DropBeforeBooking:
                            throw new DropConnection();
                        default:
                            answer = resource switch
                            {
                                "payments/cancel" => Cancel(body),
                                "payments/create" => CreatePayment(body),
                                _ => CreateRefund(body),
                            };
                            break;
                    }
                    switch (fault)
                    {
                        case CrmComFault.Http500AfterBooking:
                            answer = (500, Error(CrmComCodes.InternalError, "Internal server error"));
                            break;
                        case CrmComFault.DropAfterBooking:
                            throw new DropConnection();
                        case CrmComFault.SlowAfterBooking:
                            await Task.Delay(Faults.SlowDelay, context.RequestAborted).ConfigureAwait(false);
                            break;
                        case CrmComFault.GarbageAfterBooking:
                            answerCode = "GARBAGE";
                            context.Response.StatusCode = 200;
                            context.Response.ContentType = "text/html";
                            await context.Response.WriteAsync("<html><body>Service temporarily overloaded</body></html>", context.RequestAborted).ConfigureAwait(false);
                            return;
                    }
                    break;
                }
                case ("GET", "payment_cancellations/show"):
                case ("GET", "refunds/show"):
                case ("GET", "payments/show"):
                {
                    fault = Faults.NextLookUpFault();
                    switch (fault)
                    {
                        case CrmComFault.Http500BeforeBooking or CrmComFault.Http500AfterBooking:
                            answer = (500, Error(CrmComCodes.InternalError, "Internal server error"));
                            break;
                        case CrmComFault.TechnicalErrorBeforeBooking:
                            answer = (200, Error(CrmComCodes.InternalError, "Could not process the request"));
                            break;
                        case CrmComFault.DropBeforeBooking or CrmComFault.DropAfterBooking:
                            throw new DropConnection();
                        case CrmComFault.SlowAfterBooking:
                            await Task.Delay(Faults.SlowDelay, context.RequestAborted).ConfigureAwait(false);
                            answer = Show(resource, context.Request.Query);
                            break;
                        default:
                            answer = Show(resource, context.Request.Query);
                            break;
                    }
                    break;
                }
                default:
                    answer = (404, Error("UNKNOWN_METHOD", $"{method} {resource} is not a method"));
                    break;
            }
            answerCode = answer.Body["status"]?["code"]?.GetValue<string>();
            await WriteAsync(context, answer.Status, answer.Body).ConfigureAwait(false);
        }
        catch (DropConnection)
        {
            answerCode = "DROPPED";
            context.Abort();
        }
        catch (BadRequest bad)
        {
            answerCode = bad.Code;
            await WriteAsync(context, 200, Error(bad.Code, bad.Message)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            answerCode = "CLIENT_GONE";
        }
        finally
        {
            lock (_lock) _requests.Add(new CrmComRequestRecord(method, path, answerCode, fault, DateTimeOffset.UtcNow));
        }
    }

    private sealed class BadRequest(string code, string message) : Exception(message)
    {
        public string Code { get; } = code;
    }

    private static async Task<JsonObject> ReadJsonAsync(HttpContext context)
    {
        var bytes = await StandInWebHost.ReadBodyAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        try
        {
            return JsonNode.Parse(bytes) as JsonObject ?? throw new BadRequest("INVALID_REQUEST", "The body must be a JSON object");
        }
        catch (JsonException)
        {
            throw new BadRequest("INVALID_REQUEST", "The body is not valid JSON");
        }
    }

    private static async Task WriteAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }

    private static JsonObject Envelope(JsonNode? data) => new()
    {
        ["status"] = new JsonObject { ["message"] = null, ["description"] = null, ["code"] = CrmComCodes.Ok },
        ["data"] = data ?? new JsonObject(),
    };

    private static JsonObject Error(string code, string message) => new()
    {
        ["status"] = new JsonObject { ["message"] = message, ["description"] = message, ["code"] = code },
        ["data"] = null,
    };

    private static string? Str(JsonObject obj, string name)
        => obj[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    // ---- authentication -------------------------------------------------------------------------------------------

    private (int, JsonObject) Login(JsonObject body)
    {
        if (Str(body, "username") != Options.Username || Str(body, "password") != Options.Password || Str(body, "organisation") != Options.Organisation)
        {
            Interlocked.Increment(ref _failedLogins);
            return (200, Error(CrmComCodes.InvalidCredentials, "The username, password or organisation is wrong"));
        }
        var issued = DateTimeOffset.UtcNow;
        var token = NewToken(issued);
        lock (_lock)
        {
            _tokens[token] = issued + Options.TokenLifetime;
            _issuedTokens.Add(token);
        }
        Interlocked.Increment(ref _logins);
        return (200, Envelope(new JsonObject { ["token"] = token }));
    }

    private string NewToken(DateTimeOffset issued)
    {
        var random = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        if (!Options.JwtTokens) return random;
        var iat = issued.ToUnixTimeSeconds();
        var exp = (issued + Options.TokenLifetime).ToUnixTimeSeconds();
        static string B64(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
        return B64("""{"alg":"HS256","typ":"JWT"}""") + "." +
               B64($$"""{"sub":"{{Options.Username}}","org":"{{Options.Organisation}}","iat":{{iat}},"exp":{{exp}},"jti":"{{random}}"}""") + "." +
               Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
    }

    private (int, JsonObject) Release(JsonObject body)
    {
        var token = Str(body, "token");
        lock (_lock) if (token is not null) _tokens.Remove(token);
        return (200, Envelope(null));
    }

    private void RequireToken(string? token)
    {
        if (string.IsNullOrEmpty(token)) throw new BadRequest(CrmComCodes.InvalidToken, "A token is required");
        lock (_lock)
        {
            if (!_tokens.TryGetValue(token, out var expires)) throw new BadRequest(CrmComCodes.InvalidToken, "The token is not valid");
            if (DateTimeOffset.UtcNow >= expires) throw new BadRequest(CrmComCodes.ExpiredToken, "The token has expired");
        }
    }

    // ---- bookings ------------------------------------------------------------------------------------------------

    /// <summary>Exactly one member of an identifier object.</summary>
    private static (string Field, string Value) Identifier(JsonObject body, string name, params string[] allowed)
    {
        if (body[name] is not JsonObject identifier) throw new BadRequest("MISSING_PARAMETER", $"{name} is mandatory");
        var set = identifier.Where(kv => kv.Value is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0).ToList();
        if (set.Count != 1 || !allowed.Contains(set[0].Key) || identifier.Count != 1)
            throw new BadRequest("INVALID_PARAMETER", $"{name} must specify exactly one of {string.Join(", ", allowed)}");
        return (set[0].Key, set[0].Value!.GetValue<string>());
    }

    private CrmComPayment? FindPayment((string Field, string Value) id)
    {
        return id.Field switch
        {
            "reference_number" => _payments.GetValueOrDefault(id.Value),
            "id" => _payments.Values.FirstOrDefault(p => p.Id == id.Value),
            "number" => _payments.Values.FirstOrDefault(p => p.Number == id.Value),
            "back_office_code" => _payments.Values.FirstOrDefault(p => p.BackOfficeCode == id.Value),
            _ => null,
        };
    }

    private (int, JsonObject) Cancel(JsonObject body)
    {
        RequireToken(Str(body, "token"));
        var paymentId = Identifier(body, "payment_identifier", "id", "number", "reference_number", "back_office_code");
        var type = Identifier(body, "type_identifier", "id", "name", "alternative_code");
        if (type.Field == "name" && type.Value != Options.PaymentCancellationType)
            throw new BadRequest("INVALID_TYPE", $"No payment cancellation type named '{type.Value}'");
        var code = Str(body, "back_office_code");
        lock (_lock)
        {
            if (code is not null && _backOfficeCodes.Contains(code))
                return (200, Error(CrmComCodes.DuplicateBackOfficeCode, $"The back office code {code} is already used"));
            var payment = FindPayment(paymentId);
            if (payment is null) return (200, Error(CrmComCodes.PaymentNotFound, "The payment does not exist"));
            if (Faults.RefusalFor(payment.ReferenceNumber) is { } refusal) return (200, Error(refusal.Code, refusal.Message));
            if (payment.LifeCycleState == "CANCELLED") return (200, Error(CrmComCodes.PaymentAlreadyCancelled, "The payment is already cancelled"));
            if (payment.LifeCycleState != "POSTED") return (200, Error(CrmComCodes.PaymentNotPosted, "Only posted payments can be cancelled"));
            var booking = Book("payment_cancellation", code, payment.ReferenceNumber, payment.Amount, Str(body, "issue_reason"));
            var cancelled = payment with { LifeCycleState = "CANCELLED" };
            _payments[payment.ReferenceNumber] = cancelled;
            return (200, Envelope(new JsonObject
            {
                ["payment"] = PaymentJson(cancelled),
                ["payment_cancellation"] = BookingJson(booking),
            }));
        }
    }

    private (int, JsonObject) CreateRefund(JsonObject body)
    {
        RequireToken(Str(body, "token"));
        var paymentId = Identifier(body, "payment_identifier", "id", "number", "reference_number", "back_office_code");
        var type = Identifier(body, "type_identifier", "id", "name", "alternative_code");
        if (type.Field == "name" && type.Value != Options.RefundType)
            throw new BadRequest("INVALID_TYPE", $"No refund type named '{type.Value}'");
        if (body["refund_amount"] is not JsonValue amountValue || !amountValue.TryGetValue<decimal>(out var amount) || amount <= 0)
            throw new BadRequest("INVALID_PARAMETER", "refund_amount must be a positive number");
        var code = Str(body, "back_office_code");
        lock (_lock)
        {
            if (code is not null && _backOfficeCodes.Contains(code))
                return (200, Error(CrmComCodes.DuplicateBackOfficeCode, $"The back office code {code} is already used"));
            var payment = FindPayment(paymentId);
            if (payment is null) return (200, Error(CrmComCodes.PaymentNotFound, "The payment does not exist"));
            if (Faults.RefusalFor(payment.ReferenceNumber) is { } refusal) return (200, Error(refusal.Code, refusal.Message));
            if (payment.LifeCycleState == "CANCELLED") return (200, Error(CrmComCodes.PaymentAlreadyCancelled, "The payment is cancelled"));
            if (payment.LifeCycleState != "POSTED") return (200, Error(CrmComCodes.PaymentNotPosted, "Only posted payments can be refunded"));
            if (payment.Refunded + amount > payment.Amount)
                return (200, Error(CrmComCodes.RefundAmountExceedsPayment, "The refund amount exceeds the remaining amount of the payment"));
            var booking = Book("refund", code, payment.ReferenceNumber, amount, Str(body, "issue_reason"));
            _payments[payment.ReferenceNumber] = payment with { Refunded = payment.Refunded + amount };
            return (200, Envelope(new JsonObject { ["refund"] = BookingJson(booking) }));
        }
    }

    /// <summary>A payment posted by the caller (a synchronous capture): a booking of kind "payment" and a payment
    /// that refunds and cancellations can name by its back_office_code.</summary>
    private (int, JsonObject) CreatePayment(JsonObject body)
    {
        RequireToken(Str(body, "token"));
        Identifier(body, "accounts_receivable_identifier", "id", "number", "name");
        var type = Identifier(body, "type_identifier", "id", "name", "alternative_code");
        if (type.Field == "name" && type.Value != Options.PaymentType)
            throw new BadRequest("INVALID_TYPE", $"No payment type named '{type.Value}'");
        Identifier(body, "payment_method_identifier", "id", "name", "alternative_code");
        var state = Str(body, "life_cycle_state");
        if (state is not ("POSTED" or "DRAFT")) throw new BadRequest("INVALID_PARAMETER", "life_cycle_state must be DRAFT or POSTED");
        if (body["payment_amount"] is not JsonValue amountValue || !amountValue.TryGetValue<decimal>(out var amount) || amount <= 0)
            throw new BadRequest("INVALID_PARAMETER", "payment_amount must be a positive number");
        var code = Str(body, "back_office_code");
        lock (_lock)
        {
            if (code is not null && _backOfficeCodes.Contains(code))
                return (200, Error(CrmComCodes.DuplicateBackOfficeCode, $"The back office code {code} is already used"));
            var number = (++_sequence).ToString(CultureInfo.InvariantCulture);
            var payment = new CrmComPayment(NewId(), number, "P" + number, amount, "", state, 0m) { BackOfficeCode = code };
            _payments[payment.ReferenceNumber] = payment;
            Book("payment", code, payment.ReferenceNumber, amount, Str(body, "notes"));
            return (200, Envelope(PaymentJson(payment)));
        }
    }

    private CrmComBooking Book(string kind, string? code, string reference, decimal amount, string? reason)
    {
        var number = (++_sequence).ToString(CultureInfo.InvariantCulture);
        var booking = new CrmComBooking(kind, NewId(), number, code ?? "", reference, amount, reason, DateTimeOffset.UtcNow);
        _bookings.Add(booking);
        if (code is not null) _backOfficeCodes.Add(code);
        return booking;
    }

    private (int, JsonObject) Show(string resource, IQueryCollection query)
    {
        RequireToken(query["token"].ToString() is { Length: > 0 } t ? t : null);
        var parameter = resource switch
        {
            "payment_cancellations/show" => "payment_cancellation_identifier",
            "refunds/show" => "refund_identifier",
            _ => "payment_identifier",
        };
        var raw = query[parameter].ToString();
        var eq = raw.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || eq == raw.Length - 1) throw new BadRequest("INVALID_PARAMETER", $"{parameter} must be field=value");
        var (field, value) = (raw[..eq], raw[(eq + 1)..]);
        lock (_lock)
        {
            if (resource == "payments/show")
            {
                var payment = FindPayment((field, value));
                return payment is null ? (200, Error(CrmComCodes.NotFound, "No such payment")) : (200, Envelope(PaymentJson(payment)));
            }
            var kind = resource == "refunds/show" ? "refund" : "payment_cancellation";
            var booking = _bookings.FirstOrDefault(b => b.Kind == kind && field switch
            {
                "back_office_code" => b.BackOfficeCode == value,
                "id" => b.Id == value,
                "number" => b.Number == value,
                "reference_number" => b.Number == value,
                _ => false,
            });
            return booking is null ? (200, Error(CrmComCodes.NotFound, $"No such {kind}")) : (200, Envelope(BookingJson(booking)));
        }
    }

    private static JsonObject PaymentJson(CrmComPayment p) => new()
    {
        ["id"] = p.Id,
        ["number"] = p.Number,
        ["reference_number"] = p.ReferenceNumber,
        ["life_cycle_state"] = p.LifeCycleState,
        ["issued_on"] = "2026-01-01T10:00:00",
        ["posted_on"] = "2026-01-01T10:00:01",
        ["payment_amount"] = p.Amount,
        ["processed_by_payment_gateway"] = null,
        ["payment_gateway_reference_number"] = null,
        ["back_office_code"] = p.BackOfficeCode,
    };

    private static JsonObject BookingJson(CrmComBooking b)
    {
        var at = b.BookedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        var json = new JsonObject
        {
            ["id"] = b.Id,
            ["number"] = b.Number,
            ["reference_number"] = b.Number,
            ["life_cycle_state"] = "POSTED",
            ["issued_on"] = at,
            ["posted_on"] = at,
            ["back_office_code"] = b.BackOfficeCode,
        };
        json[b.Kind == "refund" ? "refund_amount" : "payment_amount"] = b.Amount;
        return json;
    }

    private static string NewId() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
}

/// <summary>Envelope codes the stand-in answers with (the adapter's table in Payments.Core knows them; this list is the stand-in's own).</summary>
public static class CrmComCodes
{
    public const string Ok = "OK";
    public const string InvalidToken = "INVALID_TOKEN";
    public const string ExpiredToken = "EXPIRED_TOKEN";
    public const string InvalidCredentials = "INVALID_CREDENTIALS";
    public const string DuplicateBackOfficeCode = "DUPLICATE_BACK_OFFICE_CODE";
    public const string NotFound = "NOT_FOUND";
    public const string PaymentNotFound = "PAYMENT_NOT_FOUND";
    public const string PaymentNotPosted = "PAYMENT_NOT_POSTED";
    public const string PaymentAlreadyCancelled = "PAYMENT_ALREADY_CANCELLED";
    public const string RefundAmountExceedsPayment = "REFUND_AMOUNT_EXCEEDS_PAYMENT";
    public const string AccountClosed = "ACCOUNT_CLOSED";
    public const string InternalError = "INTERNAL_ERROR";
}
