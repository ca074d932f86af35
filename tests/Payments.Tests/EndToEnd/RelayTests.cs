using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Payments.Core.Finishing;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;
using Payments.Core.Storage;
using Payments.Core.Transactions;
using Microsoft.Extensions.Time.Testing;
using Payments.Tests.TestSupport;

namespace Payments.Tests.EndToEnd;

/// <summary>
/// The outbox relay against its own tables (the host's prefix on the shared Azurite). The operations here are due a day from now, so the
/// host's own relay loop leaves them alone; the relays under test run on a clock two days ahead, on a
/// queue no worker reads.
/// </summary>
[Trait("Category", Category.EndToEnd)]
public sealed class RelayTests : IAsyncLifetime
{
    private const string Queue = "relay-test";
    private LocalHostUnderTest Host { get; set; } = null!;
    private TransactionStore Store => Host.Services.GetRequiredService<TransactionStore>();
    private TimeSpan Grace => Host.Services.GetRequiredService<FinishingOptions>().RelayGrace;
    private readonly DateTimeOffset _t0 = DateTimeOffset.UtcNow.AddDays(2);

    public async Task InitializeAsync()
    {
        Host = await LocalHostUnderTest.StartAsync();
        await Store.Queue(Queue).CreateIfNotExistsAsync();
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
    }

    private Task<int> RelayAtAsync(DateTimeOffset now) => RelayAt(now).RunOnceAsync(CancellationToken.None);

    private OutboxRelay RelayAt(DateTimeOffset now)
    {
        var clock = new FakeTimeProvider(now);
        var steps = new OperationSteps(Store, new OutboxIndex(Store, clock, NullLogger<OutboxIndex>.Instance),
            Host.Services.GetRequiredService<FinishingOptions>(), clock, NullLogger<OperationSteps>.Instance);
        return new OutboxRelay(steps, NullLogger<OutboxRelay>.Instance);
    }

    private static TableEntity StuckOperation(string partition, string row, string state = OperationStates.Pending) =>
        (Operations.New(partition, row, OperationKinds.Refund, "P", "R", Queue, GoogleMethods.RefundResultNotificationV1, DateTimeOffset.UtcNow)
            with { State = state, DueAt = DateTimeOffset.UtcNow.AddDays(1) }).ToEntity();

    /// <summary>The outbox row written before the operation's commit (now: a day before the relays run).</summary>
    private static TableEntity OutboxRow(string partition, string row, DateTimeOffset? createdAt = null) =>
        new Payments.Core.Idempotency.OutboxRow(new WorkItem(partition, row), Queue, createdAt ?? DateTimeOffset.UtcNow).ToEntity();

    private async Task InsertStuckAsync(string partition, string row, string state = OperationStates.Pending)
    {
        await Store.Outbox.InsertAsync(OutboxRow(partition, row));
        await Store.Transactions.InsertAsync(StuckOperation(partition, row, state));
    }

    [Fact]
    public async Task Each_further_relay_of_one_operation_waits_twice_as_long()
    {
        await InsertStuckAsync("relay|backoff", "op|R1");
        async Task<int?> Count() => OperationRow.From((await Store.Transactions.GetOrNullAsync("relay|backoff", "op|R1"))!).RelayCount;

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
        Assert.Equal(3, (await Store.Queue(Queue).PeekMessagesAsync(32)).Value.Length);
    }

    [Fact]
    public async Task One_run_relays_a_bounded_number_and_the_next_run_the_rest()
    {
        var extra = 5;
        for (var batch = 0; batch * 100 < OutboxRelay.MaxPerRun + extra; batch++)
        {
            var rows = Enumerable.Range(batch * 100, Math.Min(100, OutboxRelay.MaxPerRun + extra - batch * 100));
            await Store.Transactions.SubmitAsync(
                [.. rows.Select(i => new TableTransactionAction(TableTransactionActionType.Add, StuckOperation("relay|bounded", $"op|R{i:D4}")))]);
            await Store.Outbox.SubmitAsync(
                [.. rows.Select(i => new TableTransactionAction(TableTransactionActionType.Add, OutboxRow("relay|bounded", $"op|R{i:D4}")))]);
        }
        Assert.Equal(OutboxRelay.MaxPerRun, await RelayAtAsync(_t0));
        Assert.Equal(extra, await RelayAtAsync(_t0));
    }

    [Fact]
    public async Task Rows_of_calls_that_gave_up_before_their_commit_do_not_keep_lost_work_behind_them_waiting()
    {
        // More rows than one run reads, of calls that indexed their work and gave up before the commit (an
        // outage, a crash): the relay cannot tell them from a commit still on its way until OrphanAge.
        var orphans = OutboxRelay.MaxReadsPerRun + 50;
        var young = _t0 - 2 * Grace;
        for (var batch = 0; batch * 100 < orphans; batch++)
        {
            var rows = Enumerable.Range(batch * 100, Math.Min(100, orphans - batch * 100));
            await Store.Outbox.SubmitAsync(
                [.. rows.Select(i => new TableTransactionAction(TableTransactionActionType.Add, OutboxRow("relay|a-gave-up", $"op|O{i:D4}", young)))]);
        }
        // Behind them in key order, acknowledged work whose message was lost.
        await InsertStuckAsync("relay|z-lost", "op|R1");

        var relay = RelayAt(_t0);
        Assert.Equal(0, await relay.RunOnceAsync(CancellationToken.None)); // its reads spent on the orphans
        Assert.Equal(1, await relay.RunOnceAsync(CancellationToken.None)); // goes on where it stopped
        Assert.Equal(1, OperationRow.From((await Store.Transactions.GetOrNullAsync("relay|z-lost", "op|R1"))!).RelayCount);
        // A run that reached the end starts anew (the orphans are still young: kept).
        Assert.Equal(0, await relay.RunOnceAsync(CancellationToken.None));
        var left = 0;
        await foreach (var _ in Store.Outbox.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {"relay|a-gave-up"}"))) left++;
        Assert.Equal(orphans, left);
    }

    [Fact]
    public async Task Only_operations_in_the_outbox_index_are_relayed()
    {
        // A lost message of an operation the index does not know is not found: the index is written
        // before every commit, and the relay never scans the transactions.
        await Store.Transactions.InsertAsync(StuckOperation("relay|unindexed", "op|U1"));
        await InsertStuckAsync("relay|indexed", "op|I1");
        Assert.Equal(1, await RelayAtAsync(_t0));
        Assert.Null(OperationRow.From((await Store.Transactions.GetOrNullAsync("relay|unindexed", "op|U1"))!).RelayCount);
        Assert.Equal(1, OperationRow.From((await Store.Transactions.GetOrNullAsync("relay|indexed", "op|I1"))!).RelayCount);
    }

    [Fact]
    public async Task Rows_of_done_operations_and_of_commits_that_never_came_are_removed_and_parked_ones_marked()
    {
        await InsertStuckAsync("relay|gc", "op|Done", OperationStates.Done);
        await InsertStuckAsync("relay|gc", "op|Parked", OperationStates.NeedsAttention);
        await InsertStuckAsync("relay|gc", "op|Pending");
        // Rows without an operation: its call may still commit until the orphan age has passed.
        await Store.Outbox.InsertAsync(OutboxRow("relay|gc", "op|Young", _t0 - OutboxIndex.OrphanAge + TimeSpan.FromMinutes(1)));
        await Store.Outbox.InsertAsync(OutboxRow("relay|gc", "op|Orphan", _t0 - OutboxIndex.OrphanAge - TimeSpan.FromMinutes(1)));

        Assert.Equal(1, await RelayAtAsync(_t0));
        var left = new Dictionary<string, bool>();
        await foreach (var row in Store.Outbox.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {"relay|gc"}"))) left[row.RowKey] = Payments.Core.Idempotency.OutboxRow.From(row).Parked;
        Assert.Equal(["op|Parked", "op|Pending", "op|Young"], left.Keys.Order(StringComparer.Ordinal));
        // A parked operation whose mark was lost is marked (operators list it), and not relayed.
        Assert.True(left["op|Parked"]);
        Assert.False(left["op|Pending"]);
        Assert.Single((await Store.Queue(Queue).PeekMessagesAsync(32)).Value);
        await RelayAtAsync(_t0 + 1.5 * Grace);
        Assert.Null(OperationRow.From((await Store.Transactions.GetOrNullAsync("relay|gc", "op|Parked"))!).RelayCount);
    }

    [Fact]
    public void The_local_host_runs_a_loop_for_each_timer_function()
    {
        var loops = Host.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<Payments.LocalHost.Finishing.TimerFunctionLoop>().ToList();
        Assert.Equal(["IdempotencyRetention", "OutboxRelay"], loops.Select(l => l.FunctionName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_commit_later_than_the_window_after_its_outbox_row_is_refused_so_old_orphans_are_safe_to_remove()
    {
        var row = new OutboxIndex.Added(new ETag("etag"), _t0);
        OutboxIndex.EnsureInCommitWindow(row, _t0 + OutboxIndex.CommitWindow);
        Assert.Throws<Payments.Core.Storage.ConcurrencyConflictException>(() => OutboxIndex.EnsureInCommitWindow(row, _t0 + OutboxIndex.CommitWindow + TimeSpan.FromSeconds(1)));
        // A commit started within the window lands within the storage client's retries (5 tries of at most
        // 30 s each, back-off at most 10 s between them): the relay waits longer than both.
        var options = new StorageClientOptions();
        var longestCommit = (options.MaxRetries + 1) * options.NetworkTimeout + options.MaxRetries * options.MaxRetryDelay;
        Assert.True(OutboxIndex.OrphanAge > OutboxIndex.CommitWindow + longestCommit, $"orphan age {OutboxIndex.OrphanAge} vs {OutboxIndex.CommitWindow + longestCommit}");
    }
}
