using Azure;
using Azure.Data.Tables;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Payments.Core.Hosting;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;
using Payments.Core.Storage;
using Payments.Core.Transactions;
using Payments.StandIns.Gsp;
using Microsoft.Extensions.Time.Testing;
using Payments.Tests.TestSupport;

namespace Payments.Tests.EndToEnd;

/// <summary>Its own tables (the host's prefix on the shared Azurite): a sweep "a year later" deletes every ledger entry it can see.</summary>
[Trait("Category", Category.EndToEnd)]
public sealed class RetentionTests : IAsyncLifetime
{
    private LocalHostUnderTest Host { get; set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await LocalHostUnderTest.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
    }

    [Fact]
    public async Task Idempotency_records_past_the_retention_are_deleted_and_the_transaction_is_kept()
    {
        var mandateId = GspRequests.NewId("MD");
        var create = GspRequests.CreateMandateV1(mandateId);
        var createId = create["requestHeader"]!["requestId"]!.GetValue<string>();
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.CreateMandateV1, create)).Status);
        var store = Host.Services.GetRequiredService<TransactionStore>();
        var options = Host.Services.GetRequiredService<PaymentsOptions>();
        var partition = Keys.MandatePartition(GspRequests.InrWallet, mandateId);
        var ledgerRow = Keys.LedgerRow(Keys.MethodKey(ProtocolMethods.CreateMandateV1), createId);
        var markerPartition = Keys.MarkerPartition(GspRequests.InrWallet, createId);

        // A day before the retention ends nothing goes.
        var early = new IdempotencyRetention(store, options, new FakeTimeProvider(DateTimeOffset.UtcNow + TimeSpan.FromDays(options.IdempotencyRetentionDays - 1)), NullLogger<IdempotencyRetention>.Instance);
        await early.SweepAsync(CancellationToken.None);
        Assert.NotNull(await store.Transactions.GetOrNullAsync(partition, ledgerRow));
        var markerRow = Keys.MarkerRow(markerPartition, Keys.MethodKey(ProtocolMethods.CreateMandateV1));
        Assert.NotNull(await store.Requests.GetOrNullAsync(markerPartition, markerRow));

        var late = new IdempotencyRetention(store, options, new FakeTimeProvider(DateTimeOffset.UtcNow + TimeSpan.FromDays(options.IdempotencyRetentionDays + 1)), NullLogger<IdempotencyRetention>.Instance);
        Assert.True(await late.SweepAsync(CancellationToken.None) >= 2);
        Assert.Null(await store.Transactions.GetOrNullAsync(partition, ledgerRow));
        Assert.Null(await store.Requests.GetOrNullAsync(markerPartition, markerRow));
        Assert.NotNull(await store.Transactions.GetOrNullAsync(partition, Keys.StateRow(partition)));
        // The mandate can still be cancelled.
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.CancelMandateV1, GspRequests.CancelMandateV1(mandateId))).Status);
    }

    [Fact]
    public async Task A_sweep_out_of_time_leaves_a_cursor_and_the_next_run_goes_on_from_there_to_the_end()
    {
        var store = Host.Services.GetRequiredService<TransactionStore>();
        var options = Host.Services.GetRequiredService<PaymentsOptions>();
        var mandates = new List<(string Partition, string LedgerRow, string MarkerPartition)>();
        for (var i = 0; i < 3; i++)
        {
            var mandateId = GspRequests.NewId("MD");
            var create = GspRequests.CreateMandateV1(mandateId);
            var createId = create["requestHeader"]!["requestId"]!.GetValue<string>();
            Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.CreateMandateV1, create)).Status);
            mandates.Add((Keys.MandatePartition(GspRequests.InrWallet, mandateId), Keys.LedgerRow(Keys.MethodKey(ProtocolMethods.CreateMandateV1), createId),
                Keys.MarkerPartition(GspRequests.InrWallet, createId)));
        }
        var markerRow = (string partition) => Keys.MarkerRow(partition, Keys.MethodKey(ProtocolMethods.CreateMandateV1));
        async Task<bool> CursorLeftAsync() =>
            await store.Requests.GetOrNullAsync(RetentionCursorRow.Partition, store.Transactions.Name) is not null ||
            await store.Requests.GetOrNullAsync(RetentionCursorRow.Partition, store.Requests.Name) is not null;

        // No time at all: each run reads one page (of one record) per table, then stops and saves where.
        var sweep = new IdempotencyRetention(store, options, new FakeTimeProvider(DateTimeOffset.UtcNow + TimeSpan.FromDays(options.IdempotencyRetentionDays + 1)), NullLogger<IdempotencyRetention>.Instance)
        {
            RunBudget = TimeSpan.Zero,
            PageSize = 1,
        };
        Assert.InRange(await sweep.SweepAsync(CancellationToken.None), 1, 2);
        Assert.True(await CursorLeftAsync());

        // An expired record ahead of the cursor (its partition sorts first): this pass goes on from the
        // cursor and does not see it; the next pass, from the start, does.
        var early = new LedgerEntryRow("!early", "req|x", "m", "x", "fp", "{}", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow).ToEntity();
        await store.Transactions.InsertAsync(early);
        var runs = 1;
        while (await CursorLeftAsync() && runs < 20)
        {
            Assert.InRange(await sweep.SweepAsync(CancellationToken.None), 0, 2);
            runs++;
        }
        Assert.False(await CursorLeftAsync());
        Assert.InRange(runs, 3, 19);
        foreach (var (partition, ledgerRow, markerPartition) in mandates)
        {
            Assert.Null(await store.Transactions.GetOrNullAsync(partition, ledgerRow));
            Assert.Null(await store.Requests.GetOrNullAsync(markerPartition, markerRow(markerPartition)));
            Assert.NotNull(await store.Transactions.GetOrNullAsync(partition, Keys.StateRow(partition)));
        }
        Assert.NotNull(await store.Transactions.GetOrNullAsync(early.PartitionKey, early.RowKey));
        await sweep.SweepAsync(CancellationToken.None);
        Assert.Null(await store.Transactions.GetOrNullAsync(early.PartitionKey, early.RowKey));
    }
}
