using Azure.Data.Tables;
using Payments.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Payments.Core.Finishing;
using Payments.Core.Hosting;
using Payments.Core.Protocol;
using Payments.Core.Transactions;
using Payments.StandIns.Gsp;
using Payments.Tests.TestSupport;
using Payments.Core.Idempotency;

namespace Payments.Tests.EndToEnd;

/// <summary>
/// Load shedding (Finishing__MaxBacklog): with the work queues at the limit a new refund is answered
/// 503 and writes nothing; a replay of an acknowledged one is still answered; once the backlog
/// drains, the same call is accepted. The host's own queues (its prefix): the test fills them.
/// </summary>
[Trait("Category", Category.EndToEnd)]
public sealed class BacklogTests : IAsyncLifetime
{
    private const int MaxBacklog = 3;
    private LocalHostUnderTest Host { get; set; } = null!;
    private TransactionStore Store => Host.Services.GetRequiredService<TransactionStore>();

    public async Task InitializeAsync()
    {
        Host = await LocalHostUnderTest.StartAsync(settings: new Dictionary<string, string?> { ["Finishing:MaxBacklog"] = MaxBacklog.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
    }

    [Fact]
    public async Task A_new_refund_is_answered_503_without_a_trace_while_the_work_queues_are_full_and_accepted_once_they_drain()
    {
        var (generateId, _) = await Host.PaidReferenceNumberAsync(5_000_000);
        var partition = Keys.ReferenceNumberPartition(GspRequests.Usd, generateId);
        var first = GspRequests.RefundV1(generateId, 1_000_000, id: GspRequests.NewId("R"));
        var (status, _, raw) = await Host.CallAsync(ProtocolMethods.AsynchronousRefundV1, first);
        Assert.True(status == 200, raw);

        // Work nobody can take yet (delayed): the depth counts it, as Azure's approximate count does.
        // The items name no operation, so the workers drop them once they become visible.
        for (var i = 0; i < MaxBacklog; i++)
            await Store.EnqueueAsync(QueueNames.Notifications, new WorkItem("backlog|test", $"op|B{i}").ToJson(), TimeSpan.FromSeconds(5), CancellationToken.None);
        await Task.Delay(FinishingBacklog.SampleInterval + TimeSpan.FromMilliseconds(100));

        var secondId = GspRequests.NewId("R");
        var second = GspRequests.RefundV1(generateId, 1_000_000, id: secondId);
        var (shed, _, shedRaw) = await Host.CallAsync(ProtocolMethods.AsynchronousRefundV1, second);
        Assert.True(shed == 503, $"{shed} {shedRaw}");
        Assert.Contains(Host.Logs.Lines(), l => l.Contains("new refunds and reservation cancellations are answered 503", StringComparison.Ordinal));

        // Nothing written: no balance taken, no operation, no ledger entry, no idempotency marker.
        var state = await Store.Transactions.GetOrNullAsync(partition, Keys.StateRow(partition));
        Assert.Equal(1_000_000, ReferenceNumberRow.From(state!).RefundedMicros);
        Assert.Null(await Store.Transactions.GetOrNullAsync(partition, Keys.OperationRow(secondId)));
        var method = Keys.MethodKey(ProtocolMethods.AsynchronousRefundV1);
        Assert.Null(await Store.Transactions.GetOrNullAsync(partition, Keys.LedgerRow(method, secondId)));
        var markerPartition = Keys.MarkerPartition(GspRequests.Usd, secondId);
        Assert.Null(await Store.Requests.GetOrNullAsync(markerPartition, Keys.MarkerRow(markerPartition, method)));

        // What was acknowledged stays answerable.
        var (replayStatus, _, replayRaw) = await Host.CallAsync(ProtocolMethods.AsynchronousRefundV1, first);
        Assert.True(replayStatus == 200, replayRaw);

        // Google's retry of the refused call goes through once the workers have taken the backlog.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var (retry, _, retryRaw) = await Host.CallAsync(ProtocolMethods.AsynchronousRefundV1, second);
            if (retry == 200) break;
            Assert.True(retry == 503, $"{retry} {retryRaw}");
            Assert.True(DateTime.UtcNow < deadline, "the backlog never drained");
            await Task.Delay(250);
        }
        state = await Store.Transactions.GetOrNullAsync(partition, Keys.StateRow(partition));
        Assert.Equal(2_000_000, ReferenceNumberRow.From(state!).RefundedMicros);
    }
}
