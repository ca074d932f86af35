using Azure.Data.Tables;
using Azure.Storage.Queues;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Payments.Core.Finishing;
using Payments.Core.Hosting;
using Payments.Core.Protocol;
using Payments.Core.Storage;
using Payments.Core.Transactions;
using Payments.StandIns.Azurite;
using Payments.StandIns.CrmCom;
using Payments.StandIns.Google;
using Payments.StandIns.Gsp;
using Payments.Tests.TestSupport;
using Payments.Core.Idempotency;
using Payments.Core.Journal;

namespace Payments.Tests.EndToEnd;

/// <summary>The local host with its pumps, on Azurite, with the CRM.COM back office and Google's
/// notification endpoints as stand-ins speaking their wire formats.</summary>
public sealed class FinishingFixture : IAsyncLifetime
{
    public LocalHostUnderTest Host { get; private set; } = null!;
    public CrmComStandIn Crm { get; private set; } = null!;
    public GoogleStandIn Google => Host.Google;
    public AzuriteProcess Azurite { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // Queues of its own (the host's prefix) on the shared Azurite: the poison-queue assertions must not see other classes' messages.
        Azurite = await AzuriteProcess.SharedAsync();
        Crm = await CrmComStandIn.StartAsync(new CrmComStandInOptions { TokenLifetime = TimeSpan.FromMinutes(30) });
        Host = await LocalHostUnderTest.StartAsync(Azurite, CrmComSettings(Crm));
    }

    /// <summary>The settings that make the host book in <paramref name="crm"/>.</summary>
    public static Dictionary<string, string?> CrmComSettings(CrmComStandIn crm) => new()
    {
        ["BackOffice:Provider"] = "CrmCom",
        ["BackOffice:CrmCom:BaseUrl"] = crm.BaseUrl.ToString(),
        ["BackOffice:CrmCom:Username"] = crm.Options.Username,
        ["BackOffice:CrmCom:Password"] = crm.Options.Password,
        ["BackOffice:CrmCom:Organisation"] = crm.Options.Organisation,
        ["BackOffice:CrmCom:PaymentCancellationType"] = crm.Options.PaymentCancellationType,
        ["BackOffice:CrmCom:RefundType"] = crm.Options.RefundType,
    };

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Crm.DisposeAsync();
    }
}

[Trait("Category", Category.EndToEnd)]
public sealed class FinishingTests(FinishingFixture fixture) : IClassFixture<FinishingFixture>
{
    private LocalHostUnderTest Host => fixture.Host;
    private GoogleStandIn Google => fixture.Google;
    private CrmComStandIn Crm => fixture.Crm;

    private async Task<(string GenerateId, string Number)> PaidAsync(long micros)
    {
        var (id, number) = await Host.PaidReferenceNumberAsync(micros);
        Crm.AddPostedPayment(number, micros / 1_000_000m, "USD");
        return (id, number);
    }

    private async Task<JsonNode> OperationAsync(string piaid, string requestId)
    {
        var (status, body) = await Host.InternalAsync(HttpMethod.Get, $"/internal/operations/{piaid}/{requestId}");
        Assert.True(status == 200, body);
        return JsonNode.Parse(body)!["calls"]![0]!;
    }

    private async Task<JsonNode> WaitForStateAsync(string piaid, string requestId, string state, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var operation = (await OperationAsync(piaid, requestId))["operation"]!;
            if (operation[nameof(OperationRow.State)]!.GetValue<string>() == state) return operation;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"operation {requestId} is {operation.ToJsonString()}");
            await Task.Delay(50);
        }
    }

    private static string NotificationId(JsonNode operation) => operation[nameof(OperationRow.NotificationRequestId)]!.GetValue<string>();

    /// <summary>Waits for the operation's outbox row to go (removed once Google accepted the notification).</summary>
    private async Task AssertNotIndexedAsync(string generateId, string refundId)
    {
        var outbox = Host.Services.GetRequiredService<TransactionStore>().Outbox;
        var (partition, row) = (Keys.ReferenceNumberPartition(GspRequests.Usd, generateId), Keys.OperationRow(refundId));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (await outbox.GetOrNullAsync(partition, row) is not null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"outbox row {partition}/{row} is still there");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_partial_refund_is_booked_once_and_its_result_reaches_Google()
    {
        var (generateId, number) = await PaidAsync(5_000_000);
        var refund = GspRequests.RefundV1(generateId, 2_000_000);
        var refundId = refund["requestHeader"]!["requestId"]!.GetValue<string>();
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.AsynchronousRefundV1, refund)).Status);

        var operation = await WaitForStateAsync(GspRequests.Usd, refundId, OperationStates.Done);
        Assert.Equal("SUCCESS", operation[nameof(OperationRow.Result)]!.GetValue<string>());
        var code = operation[nameof(OperationRow.BackOfficeCode)]!.GetValue<string>();
        Assert.Equal(1, Crm.BookingCount(code));
        Assert.Equal("refund", Crm.Bookings.Single(b => b.BackOfficeCode == code).Kind, ignoreCase: true);

        var delivered = Google.AttemptsFor(NotificationId(operation)).Where(n => n.Accepted).ToList();
        var notification = Assert.Single(delivered);
        Assert.Equal("refundResultNotification", notification.Method);
        Assert.Equal(refundId, notification.Fields["refundRequestId"]);
        Assert.Equal("SUCCESS", notification.Fields["refundResult"]);
        Assert.Empty(Google.Violations);
        await AssertNotIndexedAsync(generateId, refundId);

        // Both money movements are in the journal, by account and Google's requestId.
        var journal = Host.Services.GetRequiredService<MoneyJournal>();
        var paid = await journal.FindAsync(GspRequests.Usd, generateId, default);
        Assert.Equal((MoneyMovementKind.Capture, 5_000_000L, "USD", number), (paid!.Kind, paid.AmountMicros, paid.CurrencyCode, paid.ReferenceNumber));
        var refunded = await journal.FindAsync(GspRequests.Usd, refundId, default);
        Assert.Equal((MoneyMovementKind.Refund, 2_000_000L, "USD", code), (refunded!.Kind, refunded.AmountMicros, refunded.CurrencyCode, refunded.PaymentIntegratorEventId));
        Assert.Equal("refundable-one-time-payment-code-v1", refunded.Api);
    }

    [Fact]
    public async Task While_a_refund_is_being_booked_the_operator_view_shows_it_in_the_outbox()
    {
        var (generateId, _) = await PaidAsync(3_000_000);
        var refund = GspRequests.RefundV1(generateId, 1_000_000);
        var refundId = refund["requestHeader"]!["requestId"]!.GetValue<string>();
        Crm.Faults.Latency = TimeSpan.FromSeconds(2);
        try
        {
            Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.AsynchronousRefundV1, refund)).Status);
            var record = await OperationAsync(GspRequests.Usd, refundId);
            Assert.Equal(OperationStates.Pending, record["operation"]![nameof(OperationRow.State)]!.GetValue<string>());
            Assert.True(record["operationInOutbox"]!.GetValue<bool>());
        }
        finally
        {
            Crm.Faults.Latency = TimeSpan.Zero;
        }
        await WaitForStateAsync(GspRequests.Usd, refundId, OperationStates.Done);
        await AssertNotIndexedAsync(generateId, refundId);
        Assert.Null((await OperationAsync(GspRequests.Usd, refundId))["operationInOutbox"]);
    }

    [Fact]
    public async Task A_refund_of_the_whole_payment_cancels_the_posted_payment()
    {
        var (generateId, number) = await PaidAsync(3_000_000);
        var refund = GspRequests.RefundV1(generateId, 3_000_000);
        var refundId = refund["requestHeader"]!["requestId"]!.GetValue<string>();
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.AsynchronousRefundV1, refund)).Status);
        var operation = await WaitForStateAsync(GspRequests.Usd, refundId, OperationStates.Done);
        var booking = Crm.Bookings.Single(b => b.BackOfficeCode == operation[nameof(OperationRow.BackOfficeCode)]!.GetValue<string>());
        Assert.Contains("cancel", booking.Kind, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("CANCELLED", Crm.GetPayment(number)!.LifeCycleState);
    }

    [Fact]
    public async Task A_business_refusal_is_notified_as_a_decline_and_the_amount_is_refundable_again()
    {
        var (generateId, number) = await PaidAsync(4_000_000);
        Crm.Faults.RefuseReference(number, CrmComCodes.AccountClosed, "account closed");
        var refund = GspRequests.RefundV1(generateId, 1_000_000);
        var refundId = refund["requestHeader"]!["requestId"]!.GetValue<string>();
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.AsynchronousRefundV1, refund)).Status);

        var operation = await WaitForStateAsync(GspRequests.Usd, refundId, OperationStates.Done);
        Assert.Equal("ACCOUNT_CLOSED", operation[nameof(OperationRow.Result)]!.GetValue<string>());
        var notification = Google.AttemptsFor(NotificationId(operation)).Single(n => n.Accepted);
        Assert.Equal("ACCOUNT_CLOSED", notification.Fields["refundResult"]);
        var state = (await OperationAsync(GspRequests.Usd, refundId))["transactionState"]!;
        Assert.Equal(0, state[nameof(ReferenceNumberRow.RefundedMicros)]!.GetValue<long>());
        // A declined refund moved no money: not in the journal.
        Assert.Null(await Host.Services.GetRequiredService<MoneyJournal>().FindAsync(GspRequests.Usd, refundId, default));
    }

    [Fact]
    public async Task Reservation_cancellation_and_store_payment_notifications_reach_Google()
    {
        var reserveId = GspRequests.NewId("F");
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.ReserveFundsV1, GspRequests.ReserveFundsV1(reserveId))).Status);
        var cancel = GspRequests.CancelFundsReservationV1(reserveId);
        var cancelId = cancel["requestHeader"]!["requestId"]!.GetValue<string>();
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.CancelFundsReservationV1, cancel)).Status);
        var operation = await WaitForStateAsync(GspRequests.Inr, cancelId, OperationStates.Done);
        var note = Google.AttemptsFor(NotificationId(operation)).Single(n => n.Accepted);
        Assert.Equal("cancelFundsReservationResultNotification", note.Method);
        Assert.Equal(cancelId, note.Fields["cancelFundsReservationRequestId"]);
        Assert.Equal("SUCCESS", note.Fields["cancelFundsReservationResult"]);

        // v2: referenceNumberPaidNotification carries the generate requestId.
        var generateId = GspRequests.NewId("G");
        var (_, generated, _) = await Host.CallAsync(ProtocolMethods.GenerateReferenceNumberV2, GspRequests.GenerateV2(generateId));
        var (payStatus, paid) = await Host.PayAsync(GspRequests.Usd, Calls.ReferenceNumberV2(generated!), "STORE-V2");
        Assert.Equal(200, payStatus);
        var paidId = paid!["notificationRequestId"]!.GetValue<string>();
        Assert.True(await Google.WaitForAcceptedAsync(paidId, TimeSpan.FromSeconds(30)));
        var v2 = Google.AttemptsFor(paidId).Single(n => n.Accepted);
        Assert.Equal((ProtocolApis.RefundableOneTimePaymentCode, 2, "referenceNumberPaidNotification"), (v2.Api, v2.Version, v2.Method));
        Assert.Equal(generateId, v2.Fields["generateReferenceNumberRequestId"]);
        Assert.Equal("STORE-V2", v2.Fields["paymentIntegratorTransactionId"]);

        // v1: it carries the reference number.
        var (_, v1Number) = await Host.PaidReferenceNumberAsync(1_000_000);
        Assert.True(await Google.WaitForAcceptedAsync(1, TimeSpan.FromSeconds(1)));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!Google.AcceptedNotifications.Any(n => n.Version == 1 && n.Method == "referenceNumberPaidNotification" && n.Fields.GetValueOrDefault("referenceNumber") == v1Number))
        {
            Assert.True(DateTime.UtcNow < deadline, "v1 paid notification not delivered");
            await Task.Delay(50);
        }
        Assert.Empty(Google.Violations);
    }

    [Fact]
    public async Task Google_failing_the_first_attempts_gets_the_result_later_with_the_same_requestId()
    {
        var faults = new Queue<GoogleFault>([GoogleFault.ServiceUnavailable, GoogleFault.GarbageOk, GoogleFault.ErrorResponse]);
        Google.Policy = new GoogleFaultPolicy
        {
            Custom = call => call.Method == "refundResultNotification" && call.Attempt <= 3 ? faults.ElementAtOrDefault(call.Attempt - 1) : null,
        };
        try
        {
            var (generateId, _) = await PaidAsync(2_000_000);
            var refund = GspRequests.RefundV1(generateId, 500_000);
            var refundId = refund["requestHeader"]!["requestId"]!.GetValue<string>();
            Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.AsynchronousRefundV1, refund)).Status);
            var operation = await WaitForStateAsync(GspRequests.Usd, refundId, OperationStates.Done);
            var attempts = Google.AttemptsFor(NotificationId(operation));
            Assert.Equal(4, attempts.Count);
            Assert.All(attempts, a => Assert.Equal(NotificationId(operation), a.RequestId));
            Assert.Equal(1, attempts.Count(a => a.Accepted));
            Assert.Equal(4, operation[nameof(OperationRow.NotificationAttempts)]!.GetValue<int>());
            var steps = operation[nameof(OperationRow.Attempts)]!.AsArray().Where(s => s!["step"]!.GetValue<string>() == "notification").ToList();
            Assert.Equal(4, steps.Count);
            Assert.Equal(NotificationOutcomeName.Accepted, steps[^1]!["outcome"]!.GetValue<string>());
        }
        finally
        {
            Google.Policy = GoogleFaultPolicy.None;
        }
    }

    [Fact]
    public async Task Beyond_the_retry_budget_the_operation_needs_attention_and_an_operator_requeues_it()
    {
        var (generateId, _) = await PaidAsync(2_000_000);
        var refund = GspRequests.RefundV1(generateId, 700_000);
        var refundId = refund["requestHeader"]!["requestId"]!.GetValue<string>();
        Google.Policy = new GoogleFaultPolicy { Custom = call => call.Method == "refundResultNotification" ? GoogleFault.ServiceUnavailable : null };
        JsonNode parked;
        try
        {
            Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.AsynchronousRefundV1, refund)).Status);
            parked = await WaitForStateAsync(GspRequests.Usd, refundId, OperationStates.NeedsAttention);
        }
        finally
        {
            Google.Policy = GoogleFaultPolicy.None;
        }
        Assert.Equal("notifications", parked[nameof(OperationRow.ParkedQueue)]!.GetValue<string>());
        Assert.Contains("notification failed 4 times", parked[nameof(OperationRow.ParkedReason)]!.GetValue<string>());
        var poison = Host.Services.GetRequiredService<TransactionStore>().Queue(QueueNames.Poison(QueueNames.Notifications));
        // The state is committed first; the copy to the poison queue follows it (after the outbox mark).
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!(await poison.PeekMessagesAsync(32)).Value.Any(m => WorkItem.Parse(m.MessageText).Row == Keys.OperationRow(refundId)))
        {
            Assert.True(DateTime.UtcNow < deadline, "the parked work item never reached the poison queue");
            await Task.Delay(50);
        }

        // Operators find it in the list of parked work, with the keys the requeue route takes.
        var (listStatus, list) = await Host.InternalAsync(HttpMethod.Get, "/internal/operations/needs-attention");
        Assert.True(listStatus == 200, list);
        var listed = Assert.Single(JsonNode.Parse(list)!["operations"]!.AsArray(), o => o!["requestId"]!.GetValue<string>() == refundId)!;
        Assert.Equal(GspRequests.Usd, listed["paymentIntegratorAccountId"]!.GetValue<string>());
        Assert.Equal("Refund", listed["kind"]!.GetValue<string>());
        Assert.Contains("notification failed 4 times", listed["parkedReason"]!.GetValue<string>());
        // The relay leaves parked work alone; the operator's requeue delivers it.
        await Task.Delay(TimeSpan.FromSeconds(4));
        var record = await OperationAsync(GspRequests.Usd, refundId);
        Assert.Equal(OperationStates.NeedsAttention, record["operation"]![nameof(OperationRow.State)]!.GetValue<string>());
        Assert.Null(record["operation"]![nameof(OperationRow.RelayCount)]);
        var (status, body) = await Host.InternalAsync(HttpMethod.Post, $"/internal/operations/{GspRequests.Usd}/{refundId}/requeue", "");
        Assert.True(status == 202, body);
        var done = await WaitForStateAsync(GspRequests.Usd, refundId, OperationStates.Done);
        Assert.Equal("SUCCESS", done[nameof(OperationRow.Result)]!.GetValue<string>());
        Assert.Single(Google.AttemptsFor(NotificationId(done)), a => a.Accepted);
        Assert.Equal(1, Crm.BookingCount(done[nameof(OperationRow.BackOfficeCode)]!.GetValue<string>()));
        await AssertNotIndexedAsync(generateId, refundId);
        (_, list) = await Host.InternalAsync(HttpMethod.Get, "/internal/operations/needs-attention");
        Assert.DoesNotContain(refundId, list);
        Assert.Equal(409, (await Host.InternalAsync(HttpMethod.Post, $"/internal/operations/{GspRequests.Usd}/{refundId}/requeue", "")).Status);
    }

    [Fact]
    public async Task The_same_message_delivered_twice_concurrently_books_once_and_finishes_once()
    {
        var (generateId, _) = await PaidAsync(6_000_000);
        var refund = GspRequests.RefundV1(generateId, 1_000_000);
        var refundId = refund["requestHeader"]!["requestId"]!.GetValue<string>();
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.AsynchronousRefundV1, refund)).Status);
        var partition = Keys.ReferenceNumberPartition(GspRequests.Usd, generateId);
        var message = new WorkItem(partition, Keys.OperationRow(refundId)).ToJson();
        var worker = Host.Services.GetRequiredService<RefundWorker>();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => worker.ProcessAsync(message, CancellationToken.None)));
        var done = await WaitForStateAsync(GspRequests.Usd, refundId, OperationStates.Done);
        Assert.Equal(1, Crm.BookingCount(done[nameof(OperationRow.BackOfficeCode)]!.GetValue<string>()));
        await Task.Delay(300);
        var accepted = Google.AttemptsFor(NotificationId(done)).Where(a => a.Accepted).ToList();
        Assert.NotEmpty(accepted);
        Assert.All(accepted, a => Assert.Equal("SUCCESS", a.Fields["refundResult"]));
        Assert.Empty(Google.Violations);
    }

    [Fact]
    public async Task CRM_token_expiry_and_slow_answers_mid_run_still_finish_and_no_secret_is_logged()
    {
        var (generateId, _) = await PaidAsync(9_000_000);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            if (i == 1) Crm.ExpireAllTokens();
            if (i == 2) Crm.Faults.Latency = TimeSpan.FromMilliseconds(300);
            var refund = GspRequests.RefundV1(generateId, 1_000_000);
            ids.Add(refund["requestHeader"]!["requestId"]!.GetValue<string>());
            Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.AsynchronousRefundV1, refund)).Status);
            await WaitForStateAsync(GspRequests.Usd, ids[^1], OperationStates.Done);
        }
        Crm.Faults.Latency = TimeSpan.Zero;
        Assert.True(Crm.LoginCount >= 2, "an expired token must lead to a new login");
        var secrets = Crm.IssuedTokens.Append(Crm.Options.Password).ToList();
        Assert.DoesNotContain(Host.Logs.Lines(), line => secrets.Any(s => line.Contains(s, StringComparison.Ordinal)));
    }

    /// <summary>A paid v2 number (booked as posted in the back office) and an acknowledged v2 refund of it.</summary>
    private async Task<(string GenerateId, string RefundId)> RefundV2Async(long paid, long refund)
    {
        var generateId = GspRequests.NewId("G");
        var (_, generated, _) = await Host.CallAsync(ProtocolMethods.GenerateReferenceNumberV2, GspRequests.GenerateV2(generateId, paid));
        var number = Calls.ReferenceNumberV2(generated!);
        Assert.Equal(200, (await Host.PayAsync(GspRequests.Usd, number)).Status);
        Crm.AddPostedPayment(number, paid / 1_000_000m, "USD");
        return (generateId, await RefundV2OfAsync(generateId, refund, number));
    }

    private async Task<string> RefundV2OfAsync(string generateId, long refund, string number, string? refuseWith = null)
    {
        if (refuseWith is not null) Crm.Faults.RefuseReference(number, refuseWith, "refused");
        var request = GspRequests.RefundV2(generateId, refund);
        var (status, _, raw) = await Host.CallAsync(ProtocolMethods.AsynchronousRefundV2, request);
        Assert.True(status == 200, raw);
        return GspRequests.RequestId(request);
    }

    [Fact]
    public async Task A_v2_refund_is_booked_once_and_its_result_reaches_Google_as_the_v2_notification()
    {
        var (generateId, refundId) = await RefundV2Async(5_000_000, 2_000_000);
        var operation = await WaitForStateAsync(GspRequests.Usd, refundId, OperationStates.Done);
        Assert.Equal("SUCCESS", operation[nameof(OperationRow.Result)]!.GetValue<string>());
        var code = operation[nameof(OperationRow.BackOfficeCode)]!.GetValue<string>();
        Assert.Equal(1, Crm.BookingCount(code));

        var notification = Assert.Single(Google.AttemptsFor(NotificationId(operation)), n => n.Accepted);
        Assert.Equal((ProtocolApis.RefundableOneTimePaymentCode, 2, "refundResultNotification", GspRequests.Usd),
            (notification.Api, notification.Version, notification.Method, notification.PaymentIntegratorAccountId));
        Assert.Equal(refundId, notification.Fields["refundRequestId"]);
        Assert.Equal(code, notification.Fields["paymentIntegratorRefundId"]);
        Assert.Equal("{}", notification.Fields["result.success"]);
        Assert.False(notification.Fields.ContainsKey("paymentIntegratorAccountId")); // v2: in the header
        Assert.Empty(Google.Violations);
        await AssertNotIndexedAsync(generateId, refundId);

        // The money journal has it as the v2 refund it is, with the payment it gives money back from.
        var movement = await Host.Services.GetRequiredService<MoneyJournal>().FindAsync(GspRequests.Usd, refundId, default);
        Assert.NotNull(movement);
        Assert.Equal((MoneyMovementKind.Refund, 2_000_000L, "USD", code, "refundable-one-time-payment-code-v2", generateId),
            (movement.Kind, movement.AmountMicros, movement.CurrencyCode, movement.PaymentIntegratorEventId, movement.Api, movement.CaptureRequestId));
    }

    [Fact]
    public async Task A_v2_refund_notification_Google_keeps_refusing_is_parked_and_an_operator_requeue_delivers_it()
    {
        Google.Policy = new GoogleFaultPolicy { Custom = call => call.Method == "refundResultNotification" ? GoogleFault.ServiceUnavailable : null };
        string refundId;
        try
        {
            (_, refundId) = await RefundV2Async(2_000_000, 700_000);
            var parked = await WaitForStateAsync(GspRequests.Usd, refundId, OperationStates.NeedsAttention);
            Assert.Equal("notifications", parked[nameof(OperationRow.ParkedQueue)]!.GetValue<string>());
        }
        finally
        {
            Google.Policy = GoogleFaultPolicy.None;
        }
        var (status, body) = await Host.InternalAsync(HttpMethod.Post, $"/internal/operations/{GspRequests.Usd}/{refundId}/requeue", "");
        Assert.True(status == 202, body);
        var done = await WaitForStateAsync(GspRequests.Usd, refundId, OperationStates.Done);
        var attempts = Google.AttemptsFor(NotificationId(done));
        Assert.All(attempts, a => Assert.Equal((2, refundId), (a.Version, a.Fields["refundRequestId"])));
        Assert.Single(attempts, a => a.Accepted);
        Assert.Equal(1, Crm.BookingCount(done[nameof(OperationRow.BackOfficeCode)]!.GetValue<string>()));
    }

    [Theory]
    [InlineData(CrmComCodes.AccountClosed, "ACCOUNT_CLOSED", "accountClosed")]
    [InlineData(CrmComCodes.RefundAmountExceedsPayment, "NO_MONEY_LEFT_ON_TRANSACTION", "noMoneyLeftOnTransaction")]
    public async Task A_declined_v2_refund_is_notified_as_its_v2_member_and_the_amount_is_refundable_again(string crmCode, string result, string member)
    {
        var (generateId, first) = await RefundV2Async(4_000_000, 1_000_000);
        await WaitForStateAsync(GspRequests.Usd, first, OperationStates.Done);
        var number = (await OperationAsync(GspRequests.Usd, first))["operation"]![nameof(OperationRow.ReferenceNumber)]!.GetValue<string>();
        var refundId = await RefundV2OfAsync(generateId, 1_000_000, number, refuseWith: crmCode);

        var operation = await WaitForStateAsync(GspRequests.Usd, refundId, OperationStates.Done);
        Assert.Equal(result, operation[nameof(OperationRow.Result)]!.GetValue<string>());
        var notification = Google.AttemptsFor(NotificationId(operation)).Single(n => n.Accepted);
        Assert.Equal("{}", notification.Fields["result." + member]);
        Assert.Equal(1_000_000, (await OperationAsync(GspRequests.Usd, refundId))["transactionState"]![nameof(ReferenceNumberRow.RefundedMicros)]!.GetValue<long>());
        Assert.Empty(Google.Violations);
    }

    [Fact]
    public async Task Google_failing_or_slow_on_the_v2_notification_gets_the_same_result_later_under_the_same_requestId()
    {
        Google.Policy = new GoogleFaultPolicy
        {
            Custom = call => call.Method == "refundResultNotification" && call.Attempt <= 2 ? GoogleFault.ServiceUnavailable : null,
            Latency = TimeSpan.FromMilliseconds(200),
        };
        try
        {
            var (_, refundId) = await RefundV2Async(2_000_000, 500_000);
            var operation = await WaitForStateAsync(GspRequests.Usd, refundId, OperationStates.Done);
            var attempts = Google.AttemptsFor(NotificationId(operation));
            Assert.Equal(3, attempts.Count);
            Assert.All(attempts, a => Assert.Equal((2, "{}"), (a.Version, a.Fields["result.success"])));
            Assert.Equal(1, attempts.Count(a => a.Accepted));
        }
        finally
        {
            Google.Policy = GoogleFaultPolicy.None;
        }
    }
}

internal static class NotificationOutcomeName
{
    public const string Accepted = "Accepted";
}
