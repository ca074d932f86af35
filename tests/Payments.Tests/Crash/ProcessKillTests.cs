using System.Diagnostics;
using Payments.Core.Hosting;
using Payments.Core.Transactions;
using Payments.StandIns.Chaos;
using Payments.StandIns.CrmCom;
using Payments.StandIns.Google;
using Payments.StandIns.Gsp;
using Payments.Tests.TestSupport;
using Payments.Core.Idempotency;
using Payments.Core.Journal;
using Payments.Core.Protocol;
using Payments.Core.Settlement;
using Payments.Core.Storage;

namespace Payments.Tests.Crash;

/// <summary>
/// docs/protocol.md §9 (1, 4): the local host process killed (SIGKILL of the process tree, no graceful stop) at each step of
/// an asynchronous refund and restarted; every acknowledged refund still gets exactly one final result,
/// delivered to the Google stand-in under one notification requestId, with one booking in the CRM.COM stand-in.
/// </summary>
[Collection(ChaosCollection.Name)]
[Trait("Category", Category.EndToEnd)]
public sealed class ProcessKillTests(CrashRigFixture fixture) : IClassFixture<CrashRigFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Finish = TimeSpan.FromSeconds(45);
    private ChaosRig Rig => fixture.Rig;
    private CrashSteps Steps => new(Rig);

    public Task InitializeAsync()
    {
        Rig.Crm.Faults.Clear();
        Rig.Google.Policy = GoogleFaultPolicy.None;
        Rig.TableProxy.Down = false;
        Rig.QueueProxy.Down = false;
        Rig.TableProxy.Latency = TimeSpan.Zero;
        Rig.QueueProxy.Latency = TimeSpan.Zero;
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Rig.TableProxy.Down = false;
        Rig.QueueProxy.Down = false;
        Steps.AssertNoSecretsLogged();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Killed_after_the_commit_before_the_put_the_outbox_relay_finishes_the_refund()
    {
        await using var host = await Rig.StartHostAsync("lost-put");
        using var client = new GspClient(host.BaseAddress, timeout: TimeSpan.FromSeconds(60));
        var (generate, number) = await Steps.PaidNumberAsync(client, 10_000_000);

        // The queue is unreachable while the refund commits: the put fails after the commit, is logged and
        // left to the relay; the call is still acknowledged.
        Rig.QueueProxy.Down = true;
        var refund = await Steps.RefundAsync(client, generate, 4_000_000);
        Assert.Equal(OperationStates.Pending, (await Steps.OperationAsync(generate, refund))!.State);
        Assert.Contains(host.Output, l => l.Contains("failed after the commit", StringComparison.Ordinal));

        await host.KillAsync();
        Rig.QueueProxy.Down = false;
        await host.RestartAsync();

        await Steps.AssertFinishedOnceAsync(generate, refund, "SUCCESS", Finish);
        Assert.Contains(host.Output, l => l.Contains("outbox relay: enqueued", StringComparison.Ordinal));
        Assert.Equal(4m, Rig.Crm.GetPayment(number)!.Refunded);
    }

    [Fact]
    public async Task A_store_payment_whose_put_was_lost_gets_its_paid_notification_after_a_kill_and_restart()
    {
        await using var host = await Rig.StartHostAsync("lost-paid");
        using var client = new GspClient(host.BaseAddress, timeout: TimeSpan.FromSeconds(60));
        var id = GspRequests.NewId("G");
        var (status, body) = await client.PostAsync(Payments.Core.Protocol.ProtocolMethods.GenerateReferenceNumberV2.Route, GspRequests.GenerateV2(id, 8_000_000).ToJsonString());
        Assert.True(status == 200, body);
        var number = GspRequests.ReferenceNumberOf(System.Text.Json.Nodes.JsonNode.Parse(body))!;

        Rig.QueueProxy.Down = true;
        var (payStatus, payBody) = await client.PayAsync(CrashSteps.Piaid, number, "STORE-" + id);
        Assert.True(payStatus == 200, payBody);
        await host.KillAsync();
        Rig.QueueProxy.Down = false;
        await host.RestartAsync();

        var partition = CrashSteps.Partition(id);
        var notification = Operations.NotificationRequestId(partition, Keys.PaymentOperationRow(partition));
        Assert.True(await Rig.Google.WaitForAcceptedAsync(notification, Finish), "the paid notification never reached Google");
        var attempts = Rig.Google.AttemptsFor(notification);
        Assert.All(attempts, a => Assert.Equal("referenceNumberPaidNotification", a.Method));
        Assert.All(attempts, a => Assert.Equal(2, a.Version));
        Assert.All(attempts, a => Assert.Equal(id, a.Fields.GetValueOrDefault("generateReferenceNumberRequestId")));
        Assert.Empty(Rig.Google.Violations);
        // A cancel after the payment answers referenceNumberAlreadyPaid.
        var (cancelStatus, cancelBody) = await client.PostAsync(Payments.Core.Protocol.ProtocolMethods.CancelReferenceNumberV2.Route,
            GspRequests.CancelReferenceNumberV2(id, GspRequests.NewId("C")).ToJsonString());
        Assert.True(cancelStatus == 200 && cancelBody.Contains("referenceNumberAlreadyPaid", StringComparison.Ordinal), cancelBody);
    }

    [Fact]
    public async Task Killed_during_the_booking_the_refund_is_booked_once_after_the_restart()
    {
        await using var host = await Rig.StartHostAsync("booking");
        using var client = new GspClient(host.BaseAddress);
        var (generate, number) = await Steps.PaidNumberAsync(client, 7_000_000);
        var logins = Rig.Crm.LoginCount;

        // Every CRM.COM answer takes 3 s: kill while the booking request is in flight, before it is made.
        Rig.Crm.Faults.Latency = TimeSpan.FromSeconds(3);
        var refund = await Steps.RefundAsync(client, generate, 7_000_000); // whole amount: payments/cancel
        await WaitUntilAsync(() => Rig.Crm.LoginCount > logins, TimeSpan.FromSeconds(20), "the adapter never logged in");
        await Task.Delay(TimeSpan.FromSeconds(1));
        await host.KillAsync(); // the stand-in may or may not have made the booking (usually not: it answers after 3 s)

        Rig.Crm.Faults.Latency = TimeSpan.FromMilliseconds(50);
        await host.RestartAsync();
        await Steps.AssertFinishedOnceAsync(generate, refund, "SUCCESS", Finish);
        Assert.Equal("CANCELLED", Rig.Crm.GetPayment(number)!.LifeCycleState);
        Assert.Equal(1, Rig.Crm.BookingsForPayment(number));
    }

    [Fact]
    public async Task Killed_after_the_booking_before_the_result_is_recorded_the_refund_is_not_booked_again()
    {
        await using var host = await Rig.StartHostAsync("recording");
        using var client = new GspClient(host.BaseAddress);
        var (generate, number) = await Steps.PaidNumberAsync(client, 9_000_000);

        // The stand-in books, answers 3 s later; by then the tables are unreachable, so the result cannot be recorded.
        Rig.Crm.Faults.SlowDelay = TimeSpan.FromSeconds(3);
        Rig.Crm.Faults.FailNextBookings(CrmComFault.SlowAfterBooking);
        var refund = await Steps.RefundAsync(client, generate, 2_500_000);
        await Steps.WaitForBookingAsync(refund, TimeSpan.FromSeconds(20));
        Rig.TableProxy.Down = true;
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.Equal(OperationStates.Pending, (await Steps.OperationAsync(generate, refund))!.State);
        await host.KillAsync();
        Rig.TableProxy.Down = false;

        await host.RestartAsync();
        await Steps.AssertFinishedOnceAsync(generate, refund, "SUCCESS", Finish);
        Assert.Equal(1, Rig.Crm.BookingsForPayment(number));
        Assert.True(Rig.Crm.BookingRequests(CrashSteps.BackOfficeCode(refund)) >= 1);
    }

    [Fact]
    public async Task Killed_during_delivery_the_notification_is_delivered_with_the_same_requestId()
    {
        await using var host = await Rig.StartHostAsync("delivery");
        using var client = new GspClient(host.BaseAddress);
        var (generate, _) = await Steps.PaidNumberAsync(client, 5_000_000);

        Rig.Google.Policy = new GoogleFaultPolicy
        {
            Custom = c => c.Method == "refundResultNotification" && c.Attempt == 1 ? GoogleFault.Hang : null,
            HangFor = TimeSpan.FromSeconds(30),
        };
        var refund = await Steps.RefundAsync(client, generate, 1_000_000);
        var notification = CrashSteps.NotificationId(generate, refund);
        await WaitUntilAsync(() => Rig.Google.AttemptsFor(notification).Count >= 1, TimeSpan.FromSeconds(20), "the notification never reached Google");
        await host.KillAsync();
        Assert.False(Rig.Google.IsAccepted(notification));

        await host.RestartAsync();
        await Steps.AssertFinishedOnceAsync(generate, refund, "SUCCESS", Finish);
        Assert.True(Rig.Google.AttemptsFor(notification).Count >= 2);
    }

    [Fact]
    public async Task The_same_message_delivered_twice_and_to_two_hosts_books_once_with_one_result()
    {
        await using var first = await Rig.StartHostAsync("twin-a");
        await using var second = await Rig.StartHostAsync("twin-b");
        using var a = new GspClient(first.BaseAddress);
        using var b = new GspClient(second.BaseAddress);
        Rig.Crm.Faults.Latency = TimeSpan.FromMilliseconds(150); // widen the race window

        var refunds = new List<(string Generate, string Refund, string Number)>();
        for (var i = 0; i < 6; i++)
        {
            var client = i % 2 == 0 ? a : b;
            var (generate, number) = await Steps.PaidNumberAsync(client, 6_000_000);
            // Even: the whole amount (payments/cancel); odd: a partial refund (refunds/create).
            var refund = await Steps.RefundAsync(i % 2 == 0 ? b : a, generate, i % 2 == 0 ? 6_000_000 : 2_000_000);
            refunds.Add((generate, refund, number));
            // Two more copies of the same work item, delivered to whichever pump gets them.
            var item = new WorkItem(CrashSteps.Partition(generate), Keys.OperationRow(refund)).ToJson();
            var queue = Rig.Queues.GetQueueClient(QueueNames.Refunds);
            await Task.WhenAll(
                queue.SendMessageAsync(item, timeToLive: TransactionStore.NeverExpire),
                queue.SendMessageAsync(item, timeToLive: TransactionStore.NeverExpire));
        }

        foreach (var (generate, refund, number) in refunds)
        {
            await Steps.AssertFinishedOnceAsync(generate, refund, "SUCCESS", Finish);
            Assert.Equal(1, Rig.Crm.BookingsForPayment(number));
        }
        // Redelivered notifications are fine; a different result for one requestId is not (checked by the stand-in).
        Assert.Empty(Rig.Google.Violations);
    }

    [Fact]
    public async Task Token_expiry_slow_answers_and_a_business_refusal_are_handled_and_the_refused_amount_is_refundable_again()
    {
        await using var host = await Rig.StartHostAsync("crm-faults");
        using var client = new GspClient(host.BaseAddress);
        Rig.Crm.Faults.Latency = TimeSpan.FromMilliseconds(300);
        var (g1, _) = await Steps.PaidNumberAsync(client, 3_000_000);
        var (g2, refused) = await Steps.PaidNumberAsync(client, 4_000_000);
        var (g3, _) = await Steps.PaidNumberAsync(client, 5_000_000);
        Rig.Crm.Faults.RefuseReference(refused, CrmComCodes.AccountClosed);

        var r1 = await Steps.RefundAsync(client, g1, 1_000_000);
        await Steps.AssertFinishedOnceAsync(g1, r1, "SUCCESS", Finish);

        // Every token the adapter holds expires mid-run: it must log in again (once) and carry on.
        var logins = Rig.Crm.LoginCount;
        Rig.Crm.ExpireAllTokens();
        var r2 = await Steps.RefundAsync(client, g2, 4_000_000);
        var r3 = await Steps.RefundAsync(client, g3, 2_000_000);
        await Steps.AssertFinishedOnceAsync(g2, r2, "ACCOUNT_CLOSED", Finish, expectedBookings: 0);
        await Steps.AssertFinishedOnceAsync(g3, r3, "SUCCESS", Finish);
        Assert.True(Rig.Crm.LoginCount > logins, "no new login after the tokens expired");

        // A declined refund never happened: the amount is refundable again.
        var state = await Steps.StateAsync(g2);
        Assert.Equal(0, ReferenceNumberRow.From(state!).RefundedMicros);
        var again = await Steps.RefundAsync(client, g2, 4_000_000);
        await Steps.AssertFinishedOnceAsync(g2, again, "ACCOUNT_CLOSED", Finish, expectedBookings: 0);
    }

    /// <summary>docs/protocol.md §11: reconciliation commits each page with the statement's next offset, so a host process
    /// killed while fetching resumes, once restarted, at the page it was fetching: never from the first page, no page
    /// counted twice, and the statement accepted once.</summary>
    [Fact]
    public async Task Killed_mid_fetch_the_statement_resumes_at_the_next_page_and_is_accepted_once()
    {
        // Six captures of a billing day a month ago (no other test moves money then), recorded as the protocol would.
        var piaid = GspRequests.Usd;
        var day = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-30), TimeSpan.Zero);
        var store = new TransactionStore(Rig.Tables, Rig.Queues, new NoQueueSignal());
        await store.EnsureCreatedAsync(default); // as a host does on start (this may be the rig's first test)
        var journal = new MoneyJournal(store);
        var movements = new List<MoneyMovement>();
        for (var i = 0; i < 6; i++)
        {
            var id = GspRequests.NewId("KS");
            var movement = new MoneyMovement(piaid, id, "PI-" + id, MoneyMovementKind.Capture, (i + 1) * 1_000_000L, "USD", day.AddHours(i + 1),
                "refundable-one-time-payment-code-v1", $"{piaid}|seed|{id}");
            await journal.IndexAsync(movement, default);
            await store.Transactions.SubmitAsync([MoneyJournal.Record(movement)]);
            movements.Add(movement);
        }
        var statementId = GspRequests.NewId("ST");
        var statement = new StatementRef(piaid, statementId, "refundable-one-time-payment-code-v1");
        var events = StatementBuilder.EventsFrom(statement, movements);
        var summary = StatementBuilder.SummaryOf(statement, events, "USD", day);
        Rig.Google.AddStatement(statement, summary, events, pageSize: 2);
        // The third page (offset 4) does not answer the first time: the host is killed while waiting for it.
        Rig.Google.StatementFaults = call => call.StatementId == statementId && call.EventOffset == 4 && call.Attempt == 1 ? StatementFault.Hang : null;
        try
        {
            await using var host = await Rig.StartHostAsync("statement");
            using var client = new GspClient(host.BaseAddress);
            var notification = GspRequests.RemittanceStatementNotificationV1(statementId, piaid, summary.BillingPeriodStart, summary.BillingPeriodEnd,
                summary.TotalDueByIntegratorMicros);
            Assert.Equal(200, (await client.PostAsync(ProtocolMethods.RemittanceStatementNotificationRorpcV1.Route, notification.ToJsonString())).Status);
            await WaitUntilAsync(() => DetailOffsets(statementId).Contains(4), TimeSpan.FromSeconds(30), "the third page was never asked for");
            await host.KillAsync();

            Rig.Google.StatementFaults = null;
            await host.RestartAsync();
            await WaitUntilAsync(() => Rig.Google.AcceptedBy(piaid, statementId) is not null, TimeSpan.FromSeconds(90), "the statement was never accepted");

            // Pages 1 and 2 were fetched once, before the kill; page 3 again after it; one acceptance.
            var offsets = DetailOffsets(statementId);
            Assert.Equal((1, 1), (offsets.Count(o => o == 0), offsets.Count(o => o == 2)));
            Assert.True(offsets.Count(o => o == 4) >= 2, string.Join(",", offsets));
            Assert.Single(Rig.Google.AcceptCalls.Where(c => c.StatementId == statementId).Select(c => c.RequestId).Distinct());
            using var http = new HttpClient { BaseAddress = host.BaseAddress };
            using var request = new HttpRequestMessage(HttpMethod.Get, $"internal/remittance-statements/{piaid}/{statementId}");
            request.Headers.Add("x-internal-key", ChaosRig.InternalKey);
            using var response = await http.SendAsync(request);
            var view = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal(("Accepted", 6L, 3), (view["state"]!.GetValue<string>(), view["eventsCounted"]!.GetValue<long>(), view["pagesFetched"]!.GetValue<int>()));
            Assert.Equal(movements.Sum(m => m.AmountMicros), view["totals"]!["captureEvents"]!["chargesMicros"]!.GetValue<long>());
        }
        finally
        {
            Rig.Google.StatementFaults = null;
        }
    }

    private List<long> DetailOffsets(string statementId) =>
        Rig.Google.StatementCalls.Where(c => c.StatementId == statementId && c.Method == GoogleStatementsClient.DetailsMethod).Select(c => c.EventOffset).ToList();

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string failure)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout) Assert.Fail(failure);
            await Task.Delay(25);
        }
    }
}
