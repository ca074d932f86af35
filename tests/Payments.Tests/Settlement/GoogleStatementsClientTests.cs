using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Payments.Core.Journal;
using Payments.Core.Notifications;
using Payments.Core.Security;
using Payments.Core.Settlement;
using Payments.StandIns.Google;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Settlement;

/// <summary>The statement client against Google's stand-in over HTTP, in each security mode.</summary>
[Trait("Category", Category.Unit)]
public sealed class GoogleStatementsClientTests : IAsyncLifetime
{
    private const string Piaid = "InvisiCashUSA_USD";
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly List<GoogleStandIn> _standIns = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var standIn in _standIns) await standIn.DisposeAsync();
    }

    private async Task<(GoogleStatementsClient Client, GoogleStandIn Google)> StartAsync(string mode = "None", TimeSpan? timeout = null)
    {
        var (ours, google) = StatementEnvelopes.For(mode);
        var standIn = await GoogleStandIn.StartAsync(google);
        _standIns.Add(standIn);
        return (Client(ours, standIn.BaseUrl, timeout), standIn);
    }

    private static GoogleStatementsClient Client(IMessageEnvelope envelope, Uri baseUrl, TimeSpan? timeout = null) => new(new HttpClient(), envelope,
        new GoogleNotificationOptions { BaseUrl = baseUrl, Timeout = timeout ?? TimeSpan.FromSeconds(10) }, TimeProvider.System, NullLogger<GoogleStatementsClient>.Instance);

    private static StatementRef Ref(string api, string id = "0123434-statement-abc") => new(Piaid, id, api);

    private static RemittanceSummary Summary(IReadOnlyList<StatementEvent> events, string currency = "USD") => new(
        Start.AddDays(2), Start, Start.AddDays(1).AddSeconds(-1), Start.AddDays(9), currency,
        events.Sum(e => (e.ChargeMicros ?? 0) + (e.FeeMicros ?? 0)), null, "memo-1");

    private static readonly StatementEvent[] FiveEvents =
    [
        new("captureEvents", "capture-1", "ours-1", 700_000_000, -28_000_000, null),
        new("captureEvents", "capture-2", "ours-2", 5_000_000, 0, null),
        new("refundEvents", "refund-1", "ours-r1", -1_000_000, 0, null),
        new("captureEvents", "capture-3", "ours-3", 1, null, null),
        new("refundEvents", "refund-2", "ours-r2", -2_500_000, 0, null),
    ];

    private static async Task<List<StatementPage>> AllPagesAsync(IGoogleStatements client, StatementRef statement, int pageSize)
    {
        var pages = new List<StatementPage>();
        long? offset = 0;
        while (offset is { } o && pages.Count < 10)
        {
            var page = await client.FetchPageAsync(statement, $"{statement.StatementId}-{o}", o, pageSize, default);
            pages.Add(page);
            offset = page.NextEventOffset;
        }
        return pages;
    }

    [Theory]
    [InlineData("None")]
    [InlineData("Pgp")]
    [InlineData("Jwe")]
    public async Task V1_pages_are_read_to_the_last_page_without_nextEventOffset(string mode)
    {
        var (client, google) = await StartAsync(mode);
        var statement = Ref("redirect-payment-token-v1");
        var summary = Summary(FiveEvents);
        google.AddStatement(statement, summary, FiveEvents);

        var pages = await AllPagesAsync(client, statement, 2);

        Assert.Equal([0L, 2, 4], pages.Select(p => p.EventOffset));
        Assert.Equal([2L, 4, null], pages.Select(p => p.NextEventOffset));
        Assert.All(pages, p => Assert.Equal(5, p.TotalEvents));
        Assert.All(pages, p => Assert.Equal(summary, p.Summary));
        Assert.All(pages, p => Assert.Empty(p.Problems));
        // v1 amounts are in the statement currency: no currency per event.
        Assert.Equal(FiveEvents.OrderBy(e => e.EventRequestId), pages.SelectMany(p => p.Events).OrderBy(e => e.EventRequestId));
        var call = google.StatementCalls[0];
        Assert.Equal(("redirect-payment-token-v1", "remittanceStatementDetails", Piaid, 200), (call.Api, call.Method, call.PaymentIntegratorAccountId, call.HttpStatus));
        var body = JsonNode.Parse(call.RawJson)!.AsObject();
        Assert.Equal(Piaid, (string?)body["paymentIntegratorAccountId"]);
        Assert.Equal(statement.StatementId, (string?)body["statementId"]);
        Assert.Equal(2, (int?)body["numberOfEvents"]);
        Assert.Equal(0, (int?)body["eventOffset"]);
        Assert.Equal(1, (int?)body["requestHeader"]!["protocolVersion"]!["major"]);
        Assert.Equal(System.Text.Json.JsonValueKind.String, body["requestHeader"]!["requestTimestamp"]!.GetValueKind());
        Assert.Empty(google.Violations);
    }

    [Theory]
    [InlineData("None")]
    [InlineData("Pgp")]
    [InlineData("Jwe")]
    public async Task V2_pages_carry_Amount_objects_and_the_total_in_the_summary(string mode)
    {
        var (client, google) = await StartAsync(mode);
        var statement = Ref("refundable-one-time-payment-code-v2");
        var events = FiveEvents.Select(e => e with { CurrencyCode = "INR" }).ToArray();
        google.AddStatement(statement, Summary(events, "INR"), events, pageSize: 3);

        var pages = await AllPagesAsync(client, statement, 1000);

        Assert.Equal([0L, 3], pages.Select(p => p.EventOffset));
        Assert.Equal([3L, null], pages.Select(p => p.NextEventOffset));
        Assert.All(pages, p => Assert.Equal(5, p.TotalEvents));
        Assert.All(pages, p => Assert.Equal(Summary(events, "INR") with { TotalEvents = 5, MemoLineId = null }, p.Summary));
        Assert.All(pages, p => Assert.Empty(p.Problems));
        Assert.Equal(events.OrderBy(e => e.EventRequestId), pages.SelectMany(p => p.Events).OrderBy(e => e.EventRequestId));

        var body = JsonNode.Parse(google.StatementCalls[0].RawJson)!.AsObject();
        Assert.Null(body["paymentIntegratorAccountId"]);
        Assert.Equal(Piaid, (string?)body["requestHeader"]!["paymentIntegratorAccountId"]);
        Assert.NotNull(body["requestHeader"]!["requestTimestamp"]!["epochMillis"]);
        Assert.Equal(2, (int?)body["requestHeader"]!["protocolVersion"]!["major"]);
        Assert.Empty(google.Violations);
    }

    [Theory]
    [InlineData("None")]
    [InlineData("Pgp")]
    [InlineData("Jwe")]
    public async Task Accept_v1_and_v2_succeed_and_the_stand_in_records_them(string mode)
    {
        var (client, google) = await StartAsync(mode);
        var v1 = Ref("e-wallets-v1", "st-1");
        var v2 = Ref("refundable-one-time-payment-code-v2", "st-2");
        google.AddStatement(v1, Summary(FiveEvents), FiveEvents);
        google.AddStatement(v2, Summary(FiveEvents), FiveEvents);

        var waiting = google.WaitForStatementAcceptedAsync(Piaid, "st-1", TimeSpan.FromSeconds(30));
        Assert.False(waiting.IsCompleted);
        await client.AcceptAsync(v1, "accept-st-1", default);
        Assert.True(await waiting);
        await client.AcceptAsync(v2, "accept-st-2", default);
        await client.AcceptAsync(v2, "accept-st-2", default); // a retry is the same call

        Assert.Equal(["accept-st-1", "accept-st-2", "accept-st-2"], google.AcceptCalls.Select(c => c.RequestId));
        Assert.Equal("accept-st-1", google.AcceptedBy(Piaid, "st-1"));
        Assert.Equal("accept-st-2", google.AcceptedBy(Piaid, "st-2"));
        var v1Body = JsonNode.Parse(google.AcceptCalls[0].RawJson)!.AsObject();
        Assert.Equal((Piaid, "st-1"), ((string?)v1Body["paymentIntegratorAccountId"], (string?)v1Body["statementId"]));
        var v2Body = JsonNode.Parse(google.AcceptCalls[1].RawJson)!.AsObject();
        Assert.Equal((null, Piaid, "st-2"), ((string?)v2Body["paymentIntegratorAccountId"], (string?)v2Body["requestHeader"]!["paymentIntegratorAccountId"], (string?)v2Body["statementId"]));
        Assert.Empty(google.Violations);

        await client.AcceptAsync(v1, "another-accept-id", default);
        Assert.Contains(google.Violations, v => v.Rule == "ACCEPTED_TWICE");
    }

    [Theory]
    [InlineData(StatementFault.ServiceUnavailable, true, 503)]
    [InlineData(StatementFault.TooManyRequests, true, 429)]
    [InlineData(StatementFault.Hang, true, null)]
    [InlineData(StatementFault.EmptyNotFound, false, 404)]
    [InlineData(StatementFault.GenericText, false, 400)]
    [InlineData(StatementFault.ErrorResponse, false, 404)]
    public async Task Faults_are_retryable_only_for_timeouts_5xx_and_429(StatementFault fault, bool retryable, int? status)
    {
        var (client, google) = await StartAsync("Pgp", TimeSpan.FromSeconds(1));
        google.Policy = new GoogleFaultPolicy { ErrorResponseStatus = 404, ErrorResponseCode = "INVALID_IDENTIFIER", HangFor = TimeSpan.FromSeconds(5) };
        var statement = Ref("refundable-one-time-payment-code-v1");
        google.AddStatement(statement, Summary(FiveEvents), FiveEvents);
        google.StatementFaults = _ => fault;

        var details = await Assert.ThrowsAsync<GoogleCallFailedException>(() => client.FetchPageAsync(statement, "page-0", 0, 10, default));
        var accept = await Assert.ThrowsAsync<GoogleCallFailedException>(() => client.AcceptAsync(statement, "accept-1", default));

        foreach (var ex in new[] { details, accept })
        {
            Assert.Equal(retryable, ex.Retryable);
            Assert.Equal(status, ex.Status);
            if (status is { } s) Assert.Contains("HTTP " + s, ex.Message);
            Assert.DoesNotContain("Injected failure", ex.Message); // Google's free text stays out
            // Only what a retry repeats points at configuration.
            Assert.Equal(fault is StatementFault.EmptyNotFound or StatementFault.GenericText, ex.Message.Contains("PIAID trouble"));
        }
        if (fault == StatementFault.ErrorResponse) Assert.Contains("INVALID_IDENTIFIER", details.Message);
        if (fault == StatementFault.Hang) Assert.Contains("timed out", details.Message);
        Assert.Null(google.AcceptedBy(Piaid, statement.StatementId));
    }

    [Fact]
    public async Task A_v2_ErrorResponse_names_its_member_and_is_not_retryable()
    {
        var (client, google) = await StartAsync("Jwe");
        google.Policy = new GoogleFaultPolicy { ErrorResponseStatus = 400, ErrorResponseCode = "INVALID_FIELD_VALUE" };
        var statement = Ref("refundable-one-time-payment-code-v2");
        google.AddStatement(statement, Summary(FiveEvents), FiveEvents);
        google.StatementFaults = _ => StatementFault.ErrorResponse;

        var ex = await Assert.ThrowsAsync<GoogleCallFailedException>(() => client.FetchPageAsync(statement, "page-0", 0, 10, default));
        Assert.False(ex.Retryable);
        Assert.Contains("invalidFieldValue", ex.Message);
    }

    [Fact]
    public async Task An_unknown_statement_is_Googles_404_INVALID_IDENTIFIER_and_not_retryable()
    {
        var (client, _) = await StartAsync();
        var ex = await Assert.ThrowsAsync<GoogleCallFailedException>(() => client.FetchPageAsync(Ref("refundable-one-time-payment-code-v1", "nope"), "page-0", 0, 10, default));
        Assert.Equal((false, 404), (ex.Retryable, ex.Status));
        Assert.Contains("INVALID_IDENTIFIER", ex.Message);
    }

    [Fact]
    public async Task A_transport_error_is_retryable()
    {
        var client = Client(new PlainJsonEnvelope(), new Uri("http://127.0.0.1:9/gsp"), TimeSpan.FromSeconds(3));
        var ex = await Assert.ThrowsAsync<GoogleCallFailedException>(() => client.FetchPageAsync(Ref("e-wallets-v1"), "page-0", 0, 10, default));
        Assert.True(ex.Retryable);
        Assert.Null(ex.Status);
        Assert.Contains("transport error", ex.Message);
    }

    [Theory]
    [InlineData("None")]
    [InlineData("Pgp")]
    public async Task A_page_over_the_size_limit_or_not_sealed_is_refused_and_an_unreadable_accept_answer_is_not_retryable(string mode)
    {
        var (client, google) = await StartAsync(mode);
        var statement = Ref("refundable-one-time-payment-code-v1");
        google.AddStatement(statement, Summary(FiveEvents), FiveEvents);

        google.StatementFaults = _ => StatementFault.OversizedPage;
        var oversized = await Assert.ThrowsAsync<StatementPageRefusedException>(() => client.FetchPageAsync(statement, "page-0", 0, 10, default));
        Assert.Contains("over " + GoogleExchange.MaxAnswerBytes, oversized.Message);

        google.StatementFaults = _ => StatementFault.GarbageOk;
        await Assert.ThrowsAsync<StatementPageRefusedException>(() => client.FetchPageAsync(statement, "page-0", 0, 10, default));
        var accept = await Assert.ThrowsAsync<GoogleCallFailedException>(() => client.AcceptAsync(statement, "accept-1", default));
        Assert.Equal((false, 200), (accept.Retryable, accept.Status));
    }

    [Fact]
    public async Task Paging_faults_reach_the_caller_as_Google_sent_them()
    {
        var (client, google) = await StartAsync();
        var statement = Ref("refundable-one-time-payment-code-v1");
        google.AddStatement(statement, Summary(FiveEvents), FiveEvents, pageSize: 2);

        google.StatementFaults = _ => StatementFault.OffsetDoesNotAdvance;
        var stuck = await client.FetchPageAsync(statement, "p-2", 2, 2, default);
        Assert.Equal((2L, 2L), (stuck.EventOffset, stuck.NextEventOffset));

        google.StatementFaults = _ => StatementFault.OffsetJumpsBack;
        Assert.Equal(0, (await client.FetchPageAsync(statement, "p-4", 4, 2, default)).NextEventOffset);

        google.StatementFaults = _ => StatementFault.MoreEventsThanTotal;
        Assert.Equal(4, (await client.FetchPageAsync(statement, "p-0", 0, 2, default)).TotalEvents);

        google.StatementFaults = _ => StatementFault.UnknownEventArray;
        var unknown = await client.FetchPageAsync(statement, "p-0", 0, 2, default);
        var mystery = Assert.Single(unknown.Events, e => e.Array == "mysteryEvents");
        Assert.Equal(("mystery-1", 1_000_000L), (mystery.EventRequestId, mystery.ChargeMicros));
        Assert.Contains(unknown.Problems, p => p.Contains("unknown event array 'mysteryEvents'"));
    }

    [Fact]
    public async Task Hostile_events_are_kept_and_reported_and_a_flood_is_refused()
    {
        var (client, google) = await StartAsync("Pgp");
        var statement = Ref("refundable-one-time-payment-code-v1");
        var events = new StatementEvent[] { new("captureEvents", null, "ours-1", 5, 0, null), FiveEvents[1] };
        google.AddStatement(statement, Summary(events), events);
        google.PageEdit = (_, page) =>
        {
            var captures = page["captureEvents"]!.AsArray();
            captures[1]!["eventType"] = "PAYMENT";
            captures[1]!["eventFee"] = true;
        };

        var page = await client.FetchPageAsync(statement, "p-0", 0, 10, default);
        Assert.Equal(2, page.Events.Count);
        Assert.Equal((null, 5L), (page.Events[0].EventRequestId, page.Events[0].ChargeMicros));
        Assert.Equal(("capture-2", null), (page.Events[1].EventRequestId, page.Events[1].FeeMicros));
        Assert.Contains("captureEvents[0]: eventRequestId missing", page.Problems);
        Assert.Contains("captureEvents[1] (capture-2): eventFee is not an int64 (a boolean)", page.Problems);
        Assert.Contains("captureEvents: unknown field 'eventType' in 1 event(s)", page.Problems);

        google.PageEdit = (_, page) =>
        {
            var flood = new JsonArray();
            for (var i = 0; i < 1001; i++) flood.Add(new JsonObject { ["eventRequestId"] = "e" + i, ["paymentIntegratorEventId"] = "o" + i, ["eventCharge"] = "1" });
            page["captureEvents"] = flood;
        };
        var refused = await Assert.ThrowsAsync<StatementPageRefusedException>(() => client.FetchPageAsync(statement, "p-0", 0, 10, default));
        Assert.Contains("more than 1000 events", refused.Message);
    }

    [Fact]
    public async Task Arguments_outside_the_protocol_are_refused_before_any_call()
    {
        var (client, google) = await StartAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => client.FetchPageAsync(Ref("refundable-one-time-payment-code-v3"), "p", 0, 10, default));
        await Assert.ThrowsAsync<ArgumentException>(() => client.FetchPageAsync(Ref("e-wallets-v1"), "bad id!", 0, 10, default));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.FetchPageAsync(Ref("e-wallets-v1"), "p", 0, 1001, default));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.FetchPageAsync(Ref("e-wallets-v1"), "p", -1, 10, default));
        Assert.Empty(google.StatementCalls);
    }

    [Fact]
    public async Task AddPayments_style_registration_shares_the_Google_options_and_envelope()
    {
        var (_, google) = await StartAsync();
        var statement = Ref("refundable-one-time-payment-code-v1");
        google.AddStatement(statement, Summary(FiveEvents), FiveEvents);
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Google:BaseUrl"] = google.BaseUrl.ToString() }).Build();
        await using var sp = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(config).AddSingleton<IMessageEnvelope>(new PlainJsonEnvelope())
            .AddGoogleNotifications().AddGoogleStatements().BuildServiceProvider();

        var page = await sp.GetRequiredService<IGoogleStatements>().FetchPageAsync(statement, "p-0", 0, 1000, default);
        Assert.Equal(5, page.Events.Count);
    }

    [Theory]
    [InlineData("refundable-one-time-payment-code-v1")]
    [InlineData("refundable-one-time-payment-code-v2")]
    public async Task A_statement_built_from_journal_movements_reads_back_with_Googles_signs(string api)
    {
        var (client, google) = await StartAsync("Pgp");
        var statement = Ref(api, "st-journal");
        MoneyMovement Movement(string id, MoneyMovementKind kind, long micros) => new(Piaid, id, "ours-" + id, kind, micros, "USD", Start.AddHours(1), api, Piaid + "|p");
        var movements = new[] { Movement("gen-1", MoneyMovementKind.Capture, 3_000_000), Movement("refund-1", MoneyMovementKind.Refund, 1_000_000) };
        var events = StatementBuilder.EventsFrom(statement, movements, m => m.Kind == MoneyMovementKind.Capture ? -30_000 : 0);
        var summary = StatementBuilder.SummaryOf(statement, events, "USD", Start);
        google.AddStatement(statement, summary, events);

        var page = await client.FetchPageAsync(statement, "st-journal-0", 0, 1000, default);

        var currency = api.EndsWith("-v2", StringComparison.Ordinal) ? "USD" : null;
        Assert.Equal([new StatementEvent("captureEvents", "gen-1", "ours-gen-1", 3_000_000, -30_000, currency), new StatementEvent("refundEvents", "refund-1", "ours-refund-1", -1_000_000, 0, currency)], page.Events);
        Assert.Equal(summary, page.Summary);
        Assert.Equal(1_970_000, page.Summary!.TotalDueByIntegratorMicros);
        Assert.Empty(page.Problems);
    }

    [Fact]
    public async Task Logs_carry_ids_statuses_and_codes_never_a_body()
    {
        var (ours, googleSide) = StatementEnvelopes.For("None");
        var google = await GoogleStandIn.StartAsync(googleSide);
        _standIns.Add(google);
        using var factory = LogRecords.Factory(out var logs);
        var client = new GoogleStatementsClient(new HttpClient(), ours, new GoogleNotificationOptions { BaseUrl = google.BaseUrl }, TimeProvider.System,
            factory.CreateLogger<GoogleStatementsClient>());
        var statement = Ref("refundable-one-time-payment-code-v1");
        google.AddStatement(statement, Summary(FiveEvents), FiveEvents);

        await client.FetchPageAsync(statement, "page-0", 0, 10, default);
        google.Policy = new GoogleFaultPolicy { ErrorResponseCode = "INVALID_IDENTIFIER", ErrorResponseStatus = 404 };
        google.StatementFaults = _ => StatementFault.ErrorResponse;
        await Assert.ThrowsAsync<GoogleCallFailedException>(() => client.AcceptAsync(statement, "accept-1", default));

        var text = string.Join("\n", logs.GetSnapshot().Select(r => r.FullText()));
        Assert.Contains("page-0", text);
        Assert.Contains("INVALID_IDENTIFIER", text);
        foreach (var secret in new[] { "Injected failure", "ours-1", "capture-1", "memo-1", "700000000" })
            Assert.DoesNotContain(secret, text);
    }

    [Fact]
    public void The_worker_app_resolves_the_statement_client()
    {
        using var app = Payments.Tests.Functions.WorkerAppTests.BuildWorkerApp(new Dictionary<string, string?> { ["PaymentsStorage"] = "UseDevelopmentStorage=true" });
        Assert.IsType<GoogleStatementsClient>(app.Services.GetRequiredService<IGoogleStatements>());
    }
}
