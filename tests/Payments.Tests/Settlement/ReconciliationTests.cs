using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Payments.Core.Journal;
using Payments.Core.Protocol;
using Payments.Core.Settlement;
using Payments.StandIns.Gsp;
using Payments.Tests.EndToEnd;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Settlement;

/// <summary>Reconciliation and acceptance on the local host (docs/protocol.md, "Settlement"): clean statements are
/// accepted exactly once; every discrepancy parks the statement, named in the operator view, until an operator
/// accepts it; faults are retried; bounds park instead of looping.</summary>
[Trait("Category", Category.EndToEnd)]
public sealed class ReconciliationTests(SettlementRig rig) : IClassFixture<SettlementRig>
{
    private const long Fee = -10_000;

    [Fact]
    public async Task Money_moved_through_the_protocol_is_reconciled_over_several_pages_and_accepted_once_with_the_counts_and_sums_of_the_statement()
    {
        var piaid = rig.NewAccount();
        var host = rig.Host;
        // Paid reference numbers, and an asynchronous refund of one of them, booked by the refund worker.
        var paid = new List<string>();
        for (var i = 0; i < 5; i++) paid.Add((await host.PaidReferenceNumberAsync(1_000_000 * (i + 1), piaid)).GenerateRequestId);
        var refundId = GspRequests.NewId("R");
        Assert.Equal(200, (await host.CallAsync(ProtocolMethods.AsynchronousRefundV1, GspRequests.RefundV1(paid[4], 2_000_000, id: refundId, piaid: piaid))).Status);
        var journal = host.Services.GetRequiredService<MoneyJournal>();
        for (var deadline = DateTime.UtcNow.AddSeconds(30); await journal.FindAsync(piaid, refundId, default) is null; await Task.Delay(100))
            Assert.True(DateTime.UtcNow < deadline, "the refund was not journaled");

        var (start, end) = SettlementRig.Period();
        var movements = new List<MoneyMovement>();
        await foreach (var m in journal.ListAsync(piaid, start, end, default)) movements.Add(m);
        Assert.Equal(6, movements.Count);
        var events = movements.Select(m => FakeGoogleStatements.EventOf(m, Fee)).ToList();

        var id = await rig.NotifyAsync(piaid, events, pageSize: 2);
        var view = await rig.WaitForAsync(piaid, id);

        Assert.True(view["state"]!.GetValue<string>() == StatementStates.Accepted, view.ToJsonString());
        Assert.Equal(3, view["pagesFetched"]!.GetValue<int>());
        Assert.Equal(6, view["eventsCounted"]!.GetValue<long>());
        var captures = view["totals"]!["captureEvents"]!;
        Assert.Equal(5, captures["count"]!.GetValue<long>());
        Assert.Equal(15_000_000, captures["chargesMicros"]!.GetValue<long>());
        Assert.Equal(5 * Fee, captures["feesMicros"]!.GetValue<long>());
        Assert.Equal(-2_000_000, view["totals"]!["refundEvents"]!["chargesMicros"]!.GetValue<long>());
        Assert.Equal(0, view["discrepancyCount"]!.GetValue<long>());
        Assert.Equal([StatementKeys.AcceptRequestId(piaid, id)], rig.Google.AcceptCalls.Where(c => c.StatementId == id).Select(c => c.RequestId));
        // One call per page, each with its own deterministic requestId.
        var pages = rig.Google.PageCalls.Where(c => c.StatementId == id).ToList();
        Assert.Equal([0L, 2L, 4L], pages.Select(p => p.Offset));
        Assert.All(pages, p => Assert.Equal(StatementKeys.PageRequestId(piaid, id, p.Offset), p.RequestId));

        // The CSV lists every event, matched.
        var (status, csv) = await host.InternalAsync(HttpMethod.Get, $"/internal/remittance-statements/{piaid}/{id}/events.csv");
        Assert.Equal(200, status);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(7, lines.Length);
        Assert.All(lines.Skip(1), l => Assert.Contains(",Matched,", l));

        // An operator cannot accept it again.
        Assert.Equal(409, (await Accept(piaid, id)).Status);
    }

    private Task<(int Status, string Body)> Accept(string piaid, string id, LocalHostUnderTest? host = null) =>
        (host ?? rig.Host).InternalAsync(HttpMethod.Post, $"/internal/remittance-statements/{piaid}/{id}/accept",
            """{"acceptedBy":"operator@example.com","reason":"reviewed with Google's account manager"}""");

    public static TheoryData<string> Kinds => new()
    {
        "unknown event", "amount differs", "currency differs", "duplicate event", "duplicate across statements", "count differs",
        "totals inconsistent", "movement missing", "unknown event array", "chargeback", "event id differs", "kind differs", "page problem",
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Each_discrepancy_parks_the_statement_named_in_the_operator_view_and_an_operator_acceptance_accepts_it_once(string kind)
    {
        var piaid = rig.NewAccount();
        var capture = await rig.SeedAsync(piaid, MoneyMovementKind.Capture, 4_000_000);
        var refund = await rig.SeedAsync(piaid, MoneyMovementKind.Refund, 1_000_000);
        var events = new List<StatementEvent> { FakeGoogleStatements.EventOf(capture, Fee), FakeGoogleStatements.EventOf(refund) };
        var method = ProtocolMethods.RemittanceStatementNotificationEWalletsV1;
        long? due = null, totalEvents = -1;
        string expected;
        switch (kind)
        {
            case "unknown event":
                events.Add(new StatementEvent("captureEvents", GspRequests.NewId("U"), "PI-unknown", 500_000, 0, null));
                expected = EventStatus.UnknownEvent;
                break;
            case "amount differs":
                events[0] = events[0] with { ChargeMicros = 4_000_001 };
                expected = EventStatus.AmountDiffers;
                break;
            case "currency differs":
                method = ProtocolMethods.RemittanceStatementNotificationRorpcV2;
                events[1] = events[1] with { CurrencyCode = "EUR" };
                expected = EventStatus.CurrencyDiffers;
                break;
            case "duplicate event":
                events.Add(events[0]);
                expected = EventStatus.DuplicateEvent;
                break;
            case "duplicate across statements":
                var first = await rig.NotifyAsync(piaid, [.. events]);
                Assert.Equal(StatementStates.Accepted, (await rig.WaitForAsync(piaid, first))["state"]!.GetValue<string>());
                expected = EventStatus.DuplicateEvent;
                break;
            case "count differs":
                method = ProtocolMethods.RemittanceStatementNotificationRorpcV2;
                totalEvents = 3;
                expected = "totalEvents";
                break;
            case "totals inconsistent":
                due = 4_000_000 + Fee - 1_000_000 + 1;
                expected = "totalDueByIntegrator";
                break;
            case "movement missing":
                await rig.SeedAsync(piaid, MoneyMovementKind.Capture, 7_000_000);
                expected = "on no statement";
                break;
            case "unknown event array":
                events.Add(new StatementEvent("mysteryEvents", GspRequests.NewId("U"), "x", 0, 0, null));
                expected = EventStatus.UnknownEventArray;
                break;
            case "chargeback":
                events.Add(new StatementEvent("chargebackEvents", capture.EventRequestId, capture.PaymentIntegratorEventId, -4_000_000, 0, null));
                expected = EventStatus.ForOperator;
                break;
            case "event id differs":
                events[0] = events[0] with { PaymentIntegratorEventId = "someone-else" };
                expected = EventStatus.EventIdDiffers;
                break;
            case "kind differs":
                events[1] = events[1] with { Array = "captureEvents", ChargeMicros = 1_000_000 };
                expected = EventStatus.KindDiffers;
                break;
            case "page problem":
                rig.Google.AlterPage = (_, page) => page with { Problems = ["an event field of an unknown shape"] };
                expected = EventStatus.PageProblem;
                break;
            default: throw new ArgumentException(kind);
        }
        string id;
        try
        {
            id = await rig.NotifyAsync(piaid, events, due, method: method, totalEvents: totalEvents);
            var view = await rig.WaitForAsync(piaid, id);
            Assert.True(view["state"]!.GetValue<string>() == StatementStates.NeedsAttention, view.ToJsonString());
            Assert.True(view["discrepancyCount"]!.GetValue<long>() > 0);
            var named = SettlementRig.Statuses(view).Concat(view["statementDiscrepancies"]!.AsArray().Select(d => d!.GetValue<string>()));
            Assert.True(named.Any(n => n.Contains(expected, StringComparison.Ordinal)), view.ToJsonString());
            if (kind == "movement missing") Assert.Single(view["missingMovements"]!.AsArray());
        }
        finally
        {
            rig.Google.AlterPage = null;
        }
        Assert.DoesNotContain(rig.Google.AcceptCalls, c => c.StatementId == id);
        var (_, list) = await rig.Host.InternalAsync(HttpMethod.Get, "/internal/remittance-statements/needs-attention");
        Assert.Contains(id, list);

        // The operator accepts after review: accepted once, and a second acceptance is 409.
        Assert.Equal(202, (await Accept(piaid, id)).Status);
        var accepted = await rig.WaitForAsync(piaid, id, null, StatementStates.Accepted);
        Assert.Equal("operator@example.com", accepted["acceptedBy"]!.GetValue<string>());
        Assert.Equal(409, (await Accept(piaid, id)).Status);
        await Task.Delay(300);
        Assert.Single(rig.Google.AcceptCalls, c => c.StatementId == id);
    }

    [Fact]
    public async Task Google_failing_on_a_page_and_on_the_acceptance_is_retried_with_the_same_requestIds_and_accepted_once()
    {
        var piaid = rig.NewAccount();
        var events = new List<StatementEvent>();
        for (var i = 0; i < 4; i++) events.Add(FakeGoogleStatements.EventOf(await rig.SeedAsync(piaid, MoneyMovementKind.Capture, 1_000_000 + i)));
        string? id = null;
        rig.Google.FailPage = (s, offset, calls) => s == id && offset == 2 && calls < 2 ? new GoogleCallFailedException("503 from Google", retryable: true, status: 503) : null;
        rig.Google.FailAccept = (s, attempt) => s == id && attempt < 3 ? new GoogleCallFailedException("timeout", retryable: true, status: null) : null;
        try
        {
            id = GspRequests.NewId("ST");
            id = await NotifyWithIdAsync(piaid, events, id, pageSize: 2);
            var view = await rig.WaitForAsync(piaid, id);
            Assert.True(view["state"]!.GetValue<string>() == StatementStates.Accepted, view.ToJsonString());
            Assert.Equal(4, view["eventsCounted"]!.GetValue<long>());
        }
        finally
        {
            rig.Google.FailPage = null;
            rig.Google.FailAccept = null;
        }
        var pageCalls = rig.Google.PageCalls.Where(c => c.StatementId == id).ToList();
        Assert.Equal([0L, 2L, 2L, 2L], pageCalls.Select(c => c.Offset));
        Assert.Single(pageCalls.Where(c => c.Offset == 2).Select(c => c.RequestId).Distinct());
        Assert.Equal(3, rig.Google.AcceptAttempts.Count(c => c.StatementId == id));
        Assert.Single(rig.Google.AcceptAttempts.Where(c => c.StatementId == id).Select(c => c.RequestId).Distinct());
        Assert.Single(rig.Google.AcceptCalls, c => c.StatementId == id);
    }

    /// <summary>Notifies under a statement id chosen before (fault injection names it).</summary>
    private async Task<string> NotifyWithIdAsync(string piaid, List<StatementEvent> events, string id, int pageSize)
    {
        var total = events.Sum(e => (e.ChargeMicros ?? 0) + (e.FeeMicros ?? 0));
        var summary = SettlementRig.Summary(total);
        rig.Google.AddStatement(piaid, id, summary, events, pageSize);
        var (status, _, raw) = await rig.Host.CallAsync(ProtocolMethods.RemittanceStatementNotificationRorpcV1,
            GspRequests.RemittanceStatementNotificationV1(id, piaid, summary.BillingPeriodStart, summary.BillingPeriodEnd, total));
        Assert.True(status == 200, raw);
        return id;
    }

    public static TheoryData<string, string> Bounds => new()
    {
        { "not advancing", "does not advance" },
        { "jumps back", "does not advance" },
        { "skips", "does not follow" },
        { "oversized", "holds 1001 events" },
        { "more than totalEvents", "more events" },
        { "refused page", "was refused" },
        { "Google refuses", "Google refused remittanceStatementDetails" },
        { "Google refuses the acceptance", "Google refused acceptRemittanceStatement" },
    };

    [Theory]
    [MemberData(nameof(Bounds))]
    public async Task A_statement_out_of_bounds_is_parked_with_the_reason_never_looped(string bound, string reason)
    {
        var piaid = rig.NewAccount();
        var events = new List<StatementEvent>();
        for (var i = 0; i < 4; i++) events.Add(FakeGoogleStatements.EventOf(await rig.SeedAsync(piaid, MoneyMovementKind.Capture, 2_000_000)));
        var id = GspRequests.NewId("ST");
        var extra = new StatementEvent("captureEvents", "X", "X", 1, 0, null);
        rig.Google.AlterPage = (s, page) => s != id || page.EventOffset != 2 ? page : bound switch
        {
            "not advancing" => page with { NextEventOffset = 2, Events = [] },
            "jumps back" => page with { NextEventOffset = 0 },
            "skips" => page with { NextEventOffset = 10 },
            "oversized" => page with { Events = Enumerable.Repeat(extra, 1001).ToList() },
            "more than totalEvents" => page with { Events = [.. page.Events, extra] },
            _ => page,
        };
        rig.Google.FailPage = (s, offset, _) => s != id || offset != 2 ? null : bound switch
        {
            "refused page" => new StatementPageRefusedException("over 4 MiB"),
            "Google refuses" => new GoogleCallFailedException("404 with an empty body", retryable: false, status: 404),
            _ => null,
        };
        rig.Google.FailAccept = (s, _) => s == id && bound == "Google refuses the acceptance" ? new GoogleCallFailedException("400 INVALID_IDENTIFIER", retryable: false, status: 400) : null;
        try
        {
            await NotifyWithIdAsync(piaid, events, id, pageSize: 2);
            var view = await rig.WaitForAsync(piaid, id);
            Assert.True(view["state"]!.GetValue<string>() == StatementStates.NeedsAttention, view.ToJsonString());
            Assert.Contains(reason, view["reason"]!.GetValue<string>());
            // Never counted past the page that broke the bounds.
            Assert.True(view["eventsCounted"]!.GetValue<long>() <= 4);
            await Task.Delay(300);
            Assert.True(rig.Google.PageCalls.Count(c => c.StatementId == id) <= 3);
        }
        finally
        {
            rig.Google.AlterPage = null;
            rig.Google.FailPage = null;
            rig.Google.FailAccept = null;
        }
        Assert.DoesNotContain(rig.Google.AcceptCalls, c => c.StatementId == id);
    }

    [Fact]
    public async Task A_host_that_dies_mid_fetch_is_resumed_by_the_next_at_the_next_page_and_no_page_is_counted_twice()
    {
        var prefix = Payments.Core.Idempotency.StorageNamesOptions.SettingsFor(Storage.StorageTestContext.NewPrefix());
        var google = new FakeGoogleStatements();
        var first = await rig.StartAsync(prefix, google);
        var piaid = rig.NewAccount();
        var events = new List<StatementEvent>();
        for (var i = 0; i < 6; i++) events.Add(FakeGoogleStatements.EventOf(await SettlementRig.SeedAsync(first, piaid, MoneyMovementKind.Capture, 3_000_000 + i)));
        var id = GspRequests.NewId("ST");
        var held = new TaskCompletionSource();
        google.HoldPage = async (s, offset) =>
        {
            if (s != id || offset != 4) return;
            held.TrySetResult();
            await Task.Delay(Timeout.Infinite);
        };
        var total = events.Sum(e => e.ChargeMicros!.Value);
        var summary = SettlementRig.Summary(total);
        google.AddStatement(piaid, id, summary, events, pageSize: 2);
        Assert.Equal(200, (await first.CallAsync(ProtocolMethods.RemittanceStatementNotificationRorpcV1,
            GspRequests.RemittanceStatementNotificationV1(id, piaid, summary.BillingPeriodStart, summary.BillingPeriodEnd, total))).Status);
        await held.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var before = await rig.ViewAsync(piaid, id, first);
        Assert.Equal(2, before!["pagesFetched"]!.GetValue<int>());
        var stop = first.DisposeAsync().AsTask();
        await Task.WhenAny(stop, Task.Delay(TimeSpan.FromSeconds(10)));

        // A new host on the same storage: the outbox relay finds the operation that stopped moving.
        google.HoldPage = null;
        await using var second = await rig.StartAsync(prefix, google);
        var view = await rig.WaitForAsync(piaid, id, second);
        Assert.True(view["state"]!.GetValue<string>() == StatementStates.Accepted, view.ToJsonString());
        Assert.Equal(6, view["eventsCounted"]!.GetValue<long>());
        Assert.Equal(3, view["pagesFetched"]!.GetValue<int>());
        Assert.Equal(total, view["totals"]!["captureEvents"]!["chargesMicros"]!.GetValue<long>());
        var offsets = google.PageCalls.Where(c => c.StatementId == id).Select(c => c.Offset).ToList();
        Assert.Equal(1, offsets.Count(o => o == 0));
        Assert.Equal(1, offsets.Count(o => o == 2));
        Assert.Single(google.AcceptCalls, c => c.StatementId == id);
    }
}
