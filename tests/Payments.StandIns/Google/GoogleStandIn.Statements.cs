using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Payments.Core.Settlement;

namespace Payments.StandIns.Google;

/// <summary>
/// Google's statement methods on the stand-in: <c>POST {BaseUrl}/{api}/remittanceStatementDetails/{PIAID}</c> and
/// <c>…/acceptRemittanceStatement/{PIAID}</c> in the wire shapes of docs/protocol.md ("Settlement"), sealed like every
/// answer. Tests register statements (<see cref="AddStatement"/>), inject faults per call (<see cref="StatementFaults"/>)
/// or edit a page's JSON (<see cref="PageEdit"/>), and read every call (<see cref="StatementCalls"/>, <see cref="AcceptCalls"/>).
/// </summary>
public sealed partial class GoogleStandIn
{
    private static readonly HashSet<string> StatementMethods = [GoogleStatementsClient.DetailsMethod, GoogleStatementsClient.AcceptMethod];
    private readonly Dictionary<(string Piaid, string StatementId), StandInStatement> _statements = [];
    private readonly List<ReceivedStatementCall> _statementCalls = [];
    private readonly Dictionary<(string Piaid, string StatementId), string> _acceptedStatements = [];
    private readonly Dictionary<string, int> _statementAttempts = new(StringComparer.Ordinal);
    private int _statementCallCount;

    /// <summary>Decides per statement call; null or <see cref="StatementFault.None"/> answers normally.</summary>
    public Func<StatementCall, StatementFault?>? StatementFaults { get; set; }

    /// <summary>Edits each details page's JSON before it is sealed (hostile shapes: unknown fields, wrong types).</summary>
    public Action<StatementCall, JsonObject>? PageEdit { get; set; }

    /// <summary>Serves this statement's pages. <paramref name="pageSize"/>: the most events per page whatever the caller
    /// asks (null: as asked). Replaces a statement of the same PIAID and id.</summary>
    public void AddStatement(StatementRef statement, RemittanceSummary summary, IReadOnlyList<StatementEvent> events, int? pageSize = null)
    {
        lock (_lock) _statements[(statement.PaymentIntegratorAccountId, statement.StatementId)] = new StandInStatement(statement, summary, events.ToList(), pageSize);
    }

    /// <summary>Every statement call, faults included.</summary>
    public IReadOnlyList<ReceivedStatementCall> StatementCalls
    {
        get { lock (_lock) return _statementCalls.ToList(); }
    }

    /// <summary>Every acceptRemittanceStatement call, faults included.</summary>
    public IReadOnlyList<ReceivedStatementCall> AcceptCalls
    {
        get { lock (_lock) return _statementCalls.Where(c => c.Method == GoogleStatementsClient.AcceptMethod).ToList(); }
    }

    /// <summary>The requestId that accepted the statement, or null.</summary>
    public string? AcceptedBy(string paymentIntegratorAccountId, string statementId)
    {
        lock (_lock) return _acceptedStatements.GetValueOrDefault((paymentIntegratorAccountId, statementId));
    }

    /// <summary>Waits until the statement was accepted; false on timeout (acceptance runs in the host's workers).</summary>
    public Task<bool> WaitForStatementAcceptedAsync(string paymentIntegratorAccountId, string statementId, TimeSpan timeout, CancellationToken cancellationToken = default)
        => WaitAsync(() => _acceptedStatements.ContainsKey((paymentIntegratorAccountId, statementId)), timeout, cancellationToken);

    private async Task HandleStatementAsync(HttpContext context, string api, bool v2, string method, string piaid, string? requestId,
        JsonObject json, (string Code, int Status, string Detail)? problem)
    {
        var statementId = Text(json["statementId"]);
        var offset = Number(json["eventOffset"]) ?? 0;
        var asked = (int?)Number(json["numberOfEvents"]);
        var raw = json.ToJsonString();
        ReceivedStatementCall Call(StatementFault fault, int status)
            => new(api, method, piaid, statementId, requestId ?? "", offset, asked, fault, status, DateTimeOffset.UtcNow, raw);

        StandInStatement? statement;
        lock (_lock) statement = statementId is null ? null : _statements.GetValueOrDefault((piaid, statementId));
        problem ??= statementId is null ? ("MISSING_REQUIRED_FIELD", 400, "missing: statementId")
            : offset < 0 || asked is < 1 or > 1000 ? ("INVALID_FIELD_VALUE", 400, "eventOffset must be >= 0 and numberOfEvents 1..1000")
            : statement is null || statement.Ref.Api != api ? ("INVALID_IDENTIFIER", 404, $"no statement {statementId} for {piaid} in {api}")
            : method == GoogleStatementsClient.DetailsMethod && offset > statement.Events.Count ? ("INVALID_FIELD_VALUE", 400, "eventOffset is past the statement's end")
            : null;
        if (problem is { } p)
        {
            Violation(method, requestId, p.Code, p.Detail);
            RecordStatementCall(Call(StatementFault.None, p.Status));
            await WriteErrorAsync(context, v2, p.Status, p.Code, p.Detail).ConfigureAwait(false);
            return;
        }

        StatementFault fault;
        lock (_lock)
        {
            var attempt = _statementAttempts[requestId!] = _statementAttempts.GetValueOrDefault(requestId!) + 1;
            fault = StatementFaults?.Invoke(new StatementCall(method, piaid, statementId!, requestId!, offset, attempt, ++_statementCallCount)) ?? StatementFault.None;
        }
        var policy = Policy;
        var status = fault switch
        {
            StatementFault.ServiceUnavailable => 503,
            StatementFault.TooManyRequests => 429,
            StatementFault.EmptyNotFound => 404,
            StatementFault.GenericText => 400,
            StatementFault.ErrorResponse => policy.ErrorResponseStatus,
            StatementFault.Hang => 0,
            _ => 200,
        };
        RecordStatementCall(Call(fault, status));
        switch (fault)
        {
            case StatementFault.ServiceUnavailable or StatementFault.TooManyRequests or StatementFault.EmptyNotFound:
                context.Response.StatusCode = status;
                return;
            case StatementFault.GenericText:
                context.Response.StatusCode = status;
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync("Bad Request", context.RequestAborted).ConfigureAwait(false);
                return;
            case StatementFault.ErrorResponse:
                await WriteErrorAsync(context, v2, status, policy.ErrorResponseCode, "Injected failure").ConfigureAwait(false);
                return;
            case StatementFault.Hang:
                try { await Task.Delay(policy.HangFor, context.RequestAborted).ConfigureAwait(false); }
                catch (OperationCanceledException) { /* the client gave up */ }
                return;
            case StatementFault.GarbageOk:
                context.Response.StatusCode = 200;
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync("<html><body>502 Bad Gateway (upstream)</body></html>", context.RequestAborted).ConfigureAwait(false);
                return;
            case StatementFault.OversizedPage:
                context.Response.StatusCode = 200;
                context.Response.ContentType = _envelope.ContentType;
                var block = Encoding.ASCII.GetBytes(new string('A', 64 << 10));
                try
                {
                    for (var i = 0; i < 80; i++) await context.Response.Body.WriteAsync(block, context.RequestAborted).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException) { /* the client stopped reading */ }
                return;
        }

        JsonObject answer;
        if (method == GoogleStatementsClient.AcceptMethod)
        {
            lock (_lock)
            {
                if (_acceptedStatements.TryGetValue((piaid, statementId!), out var by) && by != requestId)
                    Violation(method, requestId, "ACCEPTED_TWICE", $"statement {statementId} was accepted already by requestId {by}");
                else _acceptedStatements[(piaid, statementId!)] = requestId!;
            }
            answer = new JsonObject { ["responseHeader"] = ResponseHeader(v2) };
            if (v2) answer["result"] = new JsonObject { ["success"] = new JsonObject() };
            else answer["acceptRemittanceStatementResultCode"] = "SUCCESS";
        }
        else
        {
            answer = Page(statement!, v2, offset, asked ?? 1000, fault);
            PageEdit?.Invoke(new StatementCall(method, piaid, statementId!, requestId!, offset, 0, 0), answer);
        }
        await WriteSealedAsync(context, 200, answer).ConfigureAwait(false);
    }

    private static JsonObject Page(StandInStatement statement, bool v2, long offset, int asked, StatementFault fault)
    {
        var total = statement.Events.Count;
        var size = Math.Min(asked, statement.PageSize ?? asked);
        var end = (int)Math.Min(total, offset + size);
        var page = new JsonObject { ["responseHeader"] = ResponseHeader(v2), ["eventOffset"] = offset };
        long? next = end < total ? end : null;
        next = fault switch
        {
            StatementFault.OffsetDoesNotAdvance => offset,
            StatementFault.OffsetJumpsBack => 0,
            _ => next,
        };
        if (next is { } n) page["nextEventOffset"] = n;
        var reportedTotal = fault == StatementFault.MoreEventsThanTotal ? total - 1 : total;
        if (!v2) page["totalEvents"] = reportedTotal;
        page["remittanceStatementSummary"] = Summary(statement.Summary, v2, reportedTotal);
        var currency = statement.Summary.CurrencyCode;
        foreach (var e in statement.Events.Skip((int)offset).Take(end - (int)offset))
        {
            if (page[e.Array] is not JsonArray array) page[e.Array] = array = [];
            array.Add(Event(e, v2, currency));
        }
        if (fault == StatementFault.UnknownEventArray)
            page["mysteryEvents"] = new JsonArray(Event(new StatementEvent("mysteryEvents", "mystery-1", "ours-1", 1_000_000, 0, null), v2, currency));
        return page;
    }

    private static JsonObject Event(StatementEvent e, bool v2, string currency)
    {
        var json = new JsonObject();
        if (e.EventRequestId is not null) json["eventRequestId"] = e.EventRequestId;
        if (e.PaymentIntegratorEventId is not null) json["paymentIntegratorEventId"] = e.PaymentIntegratorEventId;
        if (e.ChargeMicros is { } charge) json["eventCharge"] = Money(charge, e.CurrencyCode ?? currency, v2);
        if (e.FeeMicros is { } fee) json["eventFee"] = Money(fee, e.CurrencyCode ?? currency, v2);
        return json;
    }

    private static JsonObject Summary(RemittanceSummary s, bool v2, long totalEvents)
    {
        JsonNode Time(DateTimeOffset t) => v2 ? new JsonObject { ["epochMillis"] = Millis(t) } : JsonValue.Create(Millis(t));
        var json = new JsonObject
        {
            ["statementDate"] = Time(s.StatementDate),
            ["billingPeriod"] = new JsonObject { ["startDate"] = Time(s.BillingPeriodStart), ["endDate"] = Time(s.BillingPeriodEnd) },
        };
        if (s.DateDue is { } due) json["dateDue"] = Time(due);
        if (!v2) json["currencyCode"] = s.CurrencyCode;
        json["totalDueByIntegrator"] = Money(s.TotalDueByIntegratorMicros, s.CurrencyCode, v2);
        if (v2) json["totalEvents"] = totalEvents;
        if (!v2 && s.MemoLineId is not null) json["remittanceInstructions"] = new JsonObject { ["memoLineId"] = s.MemoLineId };
        return json;
    }

    private static JsonNode Money(long micros, string currency, bool v2)
        => v2 ? new JsonObject { ["amountMicros"] = micros.ToString(CultureInfo.InvariantCulture), ["currencyCode"] = currency }
              : JsonValue.Create(micros.ToString(CultureInfo.InvariantCulture));

    private static string Millis(DateTimeOffset t) => t.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    private static long? Number(JsonNode? node) => node is JsonValue v && v.TryGetValue<long>(out var n) ? n
        : Text(node) is { } s && long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var p) ? p : null;

    private void RecordStatementCall(ReceivedStatementCall call) => Record(() => _statementCalls.Add(call));
}
