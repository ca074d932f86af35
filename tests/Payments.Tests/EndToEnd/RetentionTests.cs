using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Payments.Core.Hosting;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;
using Payments.Core.Transactions;

namespace Payments.Tests.EndToEnd;

/// <summary>Its own Azurite: a sweep "a year later" deletes every ledger entry it can see.</summary>
public sealed class RetentionTests : IAsyncLifetime
{
    private LocalHostUnderTest Host { get; set; } = null!;
    private Payments.StandIns.Azurite.AzuriteProcess _azurite = null!;

    public async Task InitializeAsync()
    {
        _azurite = await Payments.StandIns.Azurite.AzuriteProcess.StartAsync();
        Host = await LocalHostUnderTest.StartAsync(_azurite);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await _azurite.DisposeAsync();
    }

    private sealed class Later(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + shift;
    }

    [Fact]
    public async Task Idempotency_records_past_the_retention_are_deleted_and_the_transaction_is_kept()
    {
        var mandateId = Gsp.NewId("MD");
        var create = Gsp.CreateMandateV1(mandateId);
        var createId = create["requestHeader"]!["requestId"]!.GetValue<string>();
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.CreateMandateV1, create)).Status);
        var store = Host.Services.GetRequiredService<TransactionStore>();
        var options = Host.Services.GetRequiredService<PaymentsOptions>();
        var partition = Keys.MandatePartition(Gsp.InrWallet, mandateId);
        var ledgerRow = Keys.LedgerRow(Keys.MethodKey(ProtocolMethods.CreateMandateV1), createId);
        var markerPartition = Keys.MarkerPartition(Gsp.InrWallet, createId);

        // A day before the retention ends nothing goes.
        var early = new IdempotencyRetention(store, options, new Later(TimeSpan.FromDays(options.IdempotencyRetentionDays - 1)), NullLogger<IdempotencyRetention>.Instance);
        await early.SweepAsync(CancellationToken.None);
        Assert.NotNull(await store.Transactions.GetAsync(partition, ledgerRow));
        var markerRow = Keys.MarkerRow(markerPartition, Keys.MethodKey(ProtocolMethods.CreateMandateV1));
        Assert.NotNull(await store.Requests.GetAsync(markerPartition, markerRow));

        var late = new IdempotencyRetention(store, options, new Later(TimeSpan.FromDays(options.IdempotencyRetentionDays + 1)), NullLogger<IdempotencyRetention>.Instance);
        Assert.True(await late.SweepAsync(CancellationToken.None) >= 2);
        Assert.Null(await store.Transactions.GetAsync(partition, ledgerRow));
        Assert.Null(await store.Requests.GetAsync(markerPartition, markerRow));
        Assert.NotNull(await store.Transactions.GetAsync(partition, Keys.StateRow(partition)));
        // The mandate can still be cancelled.
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.CancelMandateV1, Gsp.CancelMandateV1(mandateId))).Status);
    }
}
