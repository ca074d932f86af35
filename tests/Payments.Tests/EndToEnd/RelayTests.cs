using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Payments.Core.Finishing;
using Payments.Core.Hosting;
using Payments.Core.Idempotency;
using Payments.Core.Storage;
using Payments.Core.Transactions;

namespace Payments.Tests.EndToEnd;

/// <summary>
/// The outbox relay against its own Azurite (it scans the whole table). The operations here are due
/// a day from now, so the host's own relay loop leaves them alone; the relays under test run on a
/// clock two days ahead, on a queue no worker reads.
/// </summary>
public sealed class RelayTests : IAsyncLifetime
{
    private const string Queue = "relay-test";
    private LocalHostUnderTest Host { get; set; } = null!;
    private Payments.StandIns.Azurite.AzuriteProcess _azurite = null!;
    private TransactionStore Store => Host.Services.GetRequiredService<TransactionStore>();
    private TimeSpan Grace => Host.Services.GetRequiredService<FinishingOptions>().RelayGrace;
    private readonly DateTimeOffset _t0 = DateTimeOffset.UtcNow.AddDays(2);

    public async Task InitializeAsync()
    {
        _azurite = await Payments.StandIns.Azurite.AzuriteProcess.StartAsync();
        Host = await LocalHostUnderTest.StartAsync(_azurite);
        await Store.Queue(Queue).CreateIfNotExistsAsync();
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await _azurite.DisposeAsync();
    }

    private sealed class At(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private Task<int> RelayAtAsync(DateTimeOffset now)
    {
        var clock = new At(now);
        var steps = new OperationSteps(Store, Host.Services.GetRequiredService<FinishingOptions>(), clock, NullLogger<OperationSteps>.Instance);
        var retention = new IdempotencyRetention(Store, Host.Services.GetRequiredService<PaymentsOptions>(), clock, NullLogger<IdempotencyRetention>.Instance);
        return new OutboxRelay(steps, retention, NullLogger<OutboxRelay>.Instance).RunOnceAsync(CancellationToken.None);
    }

    private static TableEntity StuckOperation(string partition, string row) => new(partition, row)
    {
        ["State"] = OperationStates.Pending,
        ["Queue"] = Queue,
        ["DueAt"] = DateTimeOffset.UtcNow.AddDays(1),
    };

    [Fact]
    public async Task Each_further_relay_of_one_operation_waits_twice_as_long()
    {
        await Store.Transactions.InsertAsync(StuckOperation("relay|backoff", "op|R1"));
        async Task<int?> Count() => (await Store.Transactions.GetAsync("relay|backoff", "op|R1"))!.GetInt32("RelayCount");

        Assert.Equal(1, await RelayAtAsync(_t0));
        Assert.Equal(1, await Count());
        // Relayed again one grace later…
        Assert.Equal(1, await RelayAtAsync(_t0 + 1.5 * Grace));
        Assert.Equal(2, await Count());
        // …but the next time only two graces later.
        Assert.Equal(0, await RelayAtAsync(_t0 + 3 * Grace));
        Assert.Equal(2, await Count());
        Assert.Equal(1, await RelayAtAsync(_t0 + 4.6 * Grace));
        Assert.Equal(3, await Count());
        Assert.Equal(3, (await Store.Queue(Queue).PeekAsync(32)).Count);
    }

    [Fact]
    public async Task One_run_relays_a_bounded_number_and_the_next_run_the_rest()
    {
        var extra = 5;
        for (var batch = 0; batch * 100 < OutboxRelay.MaxPerRun + extra; batch++)
        {
            var rows = Enumerable.Range(batch * 100, Math.Min(100, OutboxRelay.MaxPerRun + extra - batch * 100));
            await Store.Transactions.SubmitTransactionAsync(
                [.. rows.Select(i => new TableTransactionAction(TableTransactionActionType.Insert, StuckOperation("relay|bounded", $"op|R{i:D4}")))]);
        }
        Assert.Equal(OutboxRelay.MaxPerRun, await RelayAtAsync(_t0));
        Assert.Equal(extra, await RelayAtAsync(_t0));
    }
}
