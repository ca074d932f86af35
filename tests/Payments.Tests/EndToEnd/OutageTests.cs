using Payments.Core.Idempotency;
using Payments.Tests.TestSupport;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
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

namespace Payments.Tests.EndToEnd;

/// <summary>The local host with a small retry budget (3 attempts, 100 ms base delay) and breakers that open
/// on 2 failed calls and break for 1 s; its own queues (the host's prefix), so that the poison queues are its own.</summary>
public sealed class OutageFixture : IAsyncLifetime
{
    public const int MaxAttempts = 3;
    public const int RetryBaseMilliseconds = 100;
    public LocalHostUnderTest Host { get; private set; } = null!;
    public CrmComStandIn Crm { get; private set; } = null!;
    public AzuriteProcess Azurite { get; private set; } = null!;

    /// <summary>The longest the whole retry budget of one step takes: every back-off at its jitter's top.</summary>
    public static TimeSpan RetryBudget =>
        TimeSpan.FromMilliseconds(Enumerable.Range(1, MaxAttempts - 1).Sum(a => RetryBaseMilliseconds * Math.Pow(2, a - 1) * 1.2));

    public async Task InitializeAsync()
    {
        Azurite = await AzuriteProcess.SharedAsync();
        Crm = await CrmComStandIn.StartAsync(new CrmComStandInOptions { TokenLifetime = TimeSpan.FromMinutes(30) });
        Host = await LocalHostUnderTest.StartAsync(Azurite, new Dictionary<string, string?>(FinishingFixture.CrmComSettings(Crm))
        {
            ["Finishing:MaxAttempts"] = MaxAttempts.ToString(),
            ["Finishing:RetryBaseMilliseconds"] = RetryBaseMilliseconds.ToString(),
            ["Finishing:CircuitBreaker:BreakSeconds"] = "1",
            ["Finishing:CircuitBreaker:MinimumThroughput"] = "2",
            ["Finishing:CircuitBreaker:FailurePercent"] = "50",
            ["Finishing:CircuitBreaker:SamplingSeconds"] = "10",
        });
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Crm.DisposeAsync();
    }
}

/// <summary>A dependency down for everyone defers the work and parks nothing; one operation failing on its own
/// is still parked after its budget.</summary>
[Trait("Category", Category.EndToEnd)]
public sealed class OutageTests(OutageFixture fixture) : IClassFixture<OutageFixture>
{
    private const int Refunds = 8;
    private static readonly TimeSpan Outage = OutageFixture.RetryBudget * 20;
    private LocalHostUnderTest Host => fixture.Host;
    private GoogleStandIn Google => fixture.Host.Google;
    private CrmComStandIn Crm => fixture.Crm;

    private async Task<JsonNode> OperationAsync(string requestId)
    {
        var (status, body) = await Host.InternalAsync(HttpMethod.Get, $"/internal/operations/{GspRequests.Usd}/{requestId}");
        Assert.True(status == 200, body);
        return JsonNode.Parse(body)!["calls"]![0]!["operation"]!;
    }

    private static string State(JsonNode operation) => operation[nameof(OperationRow.State)]!.GetValue<string>();

    private async Task<JsonNode> WaitForStateAsync(string requestId, string state, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var operation = await OperationAsync(requestId);
            if (State(operation) == state) return operation;
            Assert.True(State(operation) != OperationStates.NeedsAttention || state == OperationStates.NeedsAttention, $"parked: {operation.ToJsonString()}");
            Assert.True(DateTime.UtcNow < deadline, $"operation {requestId} is {operation.ToJsonString()}");
            await Task.Delay(100);
        }
    }

    /// <summary>Refunds requested one after the other across <see cref="Outage"/>, which starts with the first
    /// and ends <paramref name="recover"/>ing after the last; their requestIds.</summary>
    private async Task<List<string>> RefundStreamThroughOutageAsync(Action recover)
    {
        var paid = new List<string>();
        for (var i = 0; i < Refunds; i++)
        {
            var (generateId, number) = await Host.PaidReferenceNumberAsync(2_000_000);
            Crm.AddPostedPayment(number, 2m, "USD");
            paid.Add(generateId);
        }
        var ids = new List<string>();
        var started = DateTime.UtcNow;
        foreach (var generateId in paid)
        {
            var refund = GspRequests.RefundV1(generateId, 1_000_000);
            ids.Add(refund["requestHeader"]!["requestId"]!.GetValue<string>());
            Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.AsynchronousRefundV1, refund)).Status);
            await Task.Delay(Outage / Refunds / 2);
        }
        var rest = Outage - (DateTime.UtcNow - started);
        if (rest > TimeSpan.Zero) await Task.Delay(rest);
        // Down all along: nothing got through, nothing was parked.
        foreach (var id in ids) Assert.NotEqual(OperationStates.NeedsAttention, State(await OperationAsync(id)));
        recover();
        return ids;
    }

    private async Task AssertBookedAndNotifiedOnceAsync(IEnumerable<string> ids)
    {
        foreach (var id in ids)
        {
            var done = await WaitForStateAsync(id, OperationStates.Done, TimeSpan.FromSeconds(60));
            Assert.Equal("SUCCESS", done[nameof(OperationRow.Result)]!.GetValue<string>());
            Assert.Equal(1, Crm.BookingCount(done[nameof(OperationRow.BackOfficeCode)]!.GetValue<string>()));
            var notificationId = done[nameof(OperationRow.NotificationRequestId)]!.GetValue<string>();
            Assert.Single(Google.AttemptsFor(notificationId), a => a.Accepted);
            Assert.True(done[nameof(OperationRow.BookingAttempts)]?.GetValue<int>() is null or < OutageFixture.MaxAttempts);
            Assert.True(done[nameof(OperationRow.NotificationAttempts)]!.GetValue<int>() <= OutageFixture.MaxAttempts);
        }
        await AssertNoneInPoisonQueuesAsync(ids);
    }

    private async Task AssertNoneInPoisonQueuesAsync(IEnumerable<string> ids)
    {
        var rows = ids.Select(Keys.OperationRow).ToHashSet();
        var store = Host.Services.GetRequiredService<TransactionStore>();
        foreach (var queue in QueueNames.All)
        {
            var poison = store.Queue(QueueNames.Poison(queue));
            if (!(await poison.ExistsAsync()).Value) continue;
            Assert.DoesNotContain((await poison.PeekMessagesAsync(32)).Value, m => rows.Contains(WorkItem.Parse(m.MessageText).Row));
        }
    }

    [Fact]
    public async Task CRM_COM_down_for_20_times_the_retry_budget_parks_nothing_and_books_every_refund_once_after_recovery()
    {
        Crm.Faults.Down = true;
        List<string> ids;
        try
        {
            ids = await RefundStreamThroughOutageAsync(() => Crm.Faults.Down = false);
        }
        finally
        {
            Crm.Faults.Down = false;
        }
        await AssertBookedAndNotifiedOnceAsync(ids);
    }

    [Fact]
    public async Task Google_down_for_20_times_the_retry_budget_parks_nothing_and_notifies_every_refund_once_after_recovery()
    {
        Google.Policy = new GoogleFaultPolicy { RefuseBeyondCalls = 0 };
        List<string> ids;
        try
        {
            ids = await RefundStreamThroughOutageAsync(() => Google.Policy = GoogleFaultPolicy.None);
        }
        finally
        {
            Google.Policy = GoogleFaultPolicy.None;
        }
        await AssertBookedAndNotifiedOnceAsync(ids);
    }

    [Fact]
    public async Task A_booking_CRM_COM_refuses_on_its_own_is_still_parked_after_its_budget()
    {
        var (generateId, number) = await Host.PaidReferenceNumberAsync(2_000_000);
        Crm.AddPostedPayment(number, 2m, "USD");
        // A refusal code the adapter does not know: a fault of this booking alone, CRM.COM answers everyone else.
        Crm.Faults.RefuseReference(number, "INVALID_REFUND_RECORD", "the refund record is invalid");
        var refund = GspRequests.RefundV1(generateId, 1_000_000);
        var refundId = refund["requestHeader"]!["requestId"]!.GetValue<string>();
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.AsynchronousRefundV1, refund)).Status);

        var parked = await WaitForStateAsync(refundId, OperationStates.NeedsAttention, TimeSpan.FromSeconds(30));
        Assert.Equal(OutageFixture.MaxAttempts, parked[nameof(OperationRow.BookingAttempts)]!.GetValue<int>());
        Assert.Contains($"booking failed {OutageFixture.MaxAttempts} times", parked[nameof(OperationRow.ParkedReason)]!.GetValue<string>());
        Assert.Equal(Polly.CircuitBreaker.CircuitState.Closed, Host.Services.GetRequiredService<DependencyBreakers>().BackOffice.State);
    }
}
