using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Payments.Core.Configuration;
using Payments.Core.Idempotency;
using Payments.Core.Storage;
using Payments.LocalHost.Queues;
using Payments.Tests.EndToEnd;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Storage;

/// <summary>Storage:NamePrefix: apps (and test classes) on one storage account see only their own tables and queues.</summary>
[Trait("Category", Category.Storage)]
public sealed class StorageNamePrefixTests
{
    [Fact]
    public async Task Two_stores_with_different_prefixes_do_not_see_each_others_rows_or_messages()
    {
        var (a, b) = (await StoreAsync(StorageTestContext.NewPrefix()), await StoreAsync(StorageTestContext.NewPrefix()));

        await a.Transactions.AddEntityAsync(new TableEntity("p", "r"));
        await a.EnqueueAsync(QueueNames.Refunds, "for a", delay: null, CancellationToken.None);

        Assert.NotNull(await a.Transactions.GetOrNullAsync("p", "r"));
        Assert.Null(await b.Transactions.GetOrNullAsync("p", "r"));
        Assert.Equal(1, (await a.WorkQueueDepthsAsync(CancellationToken.None))[QueueNames.Refunds]);
        Assert.Equal(0, (await b.WorkQueueDepthsAsync(CancellationToken.None))[QueueNames.Refunds]);
    }

    [Fact]
    public async Task The_prefix_goes_before_every_table_and_queue_name()
    {
        var prefix = StorageTestContext.NewPrefix();
        var store = await StoreAsync(prefix);
        Assert.Equal([prefix + "transactions", prefix + "requests", prefix + "outbox", prefix + "journal"], new[] { store.Transactions.Name, store.Requests.Name, store.Outbox.Name, store.Journal.Name });
        Assert.Equal(prefix + "reservation-cancellations-poison", store.Queue(QueueNames.Poison(QueueNames.ReservationCancellations)).Name);
    }

    [Fact]
    public async Task Two_local_hosts_with_different_prefixes_pump_only_their_own_queues()
    {
        await using var a = await LocalHostUnderTest.StartAsync(settings: StorageNamesOptions.SettingsFor(StorageTestContext.NewPrefix()));
        await using var b = await LocalHostUnderTest.StartAsync(settings: StorageNamesOptions.SettingsFor(StorageTestContext.NewPrefix()));
        var pumpsA = Pumps(a).ToHashSet();
        var pumpsB = Pumps(b).ToHashSet();
        Assert.Equal(QueueNames.All.Select(q => a.Services.GetRequiredService<TransactionStore>().Queue(q).Name).Order(), pumpsA.Order());
        Assert.Empty(pumpsA.Intersect(pumpsB));
    }

    [Theory]
    [InlineData("Pay1")]                       // upper case
    [InlineData("pay-")]                       // a table name takes letters and digits only
    [InlineData("1pay")]                       // a table name starts with a letter
    [InlineData("abcdefghijklmnopqrstuvwxy")]  // 25: the longest queue name would pass 63
    public void A_bad_prefix_stops_the_start_naming_the_setting(string prefix)
    {
        var e = Assert.Throws<OptionsValidationException>(() => Options(StorageNamesOptions.SettingsFor(prefix)));
        Assert.Contains("Storage__NamePrefix", e.Message);
        Assert.DoesNotContain(prefix, e.Message.Replace("Storage__NamePrefix", ""));
    }

    [Fact]
    public void A_trigger_setting_without_the_prefix_stops_the_start_naming_it()
    {
        var settings = new Dictionary<string, string?>(StorageNamesOptions.SettingsFor("tenant1")) { ["Storage:NotificationsQueue"] = QueueNames.Notifications };
        var e = Assert.Throws<OptionsValidationException>(() => Options(settings));
        Assert.Contains("Storage__NotificationsQueue", e.Message);
        Assert.DoesNotContain("Storage__RefundsQueue", e.Message);
    }

    [Fact]
    public void No_settings_give_todays_names()
    {
        var options = Options(new Dictionary<string, string?>());
        Assert.Equal("", options.NamePrefix);
        Assert.Equal(QueueNames.Refunds, options.RefundsQueue);
    }

    private static IEnumerable<string> Pumps(LocalHostUnderTest host) =>
        host.Services.GetServices<IHostedService>().OfType<QueuePump>().Select(p => p.QueueName);

    private static StorageNamesOptions Options(IReadOnlyDictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        Payments.Core.Hosting.ServiceCollectionExtensions.AddPayments(services);
        return services.BuildServiceProvider().GetRequiredService<IOptions<StorageNamesOptions>>().Value;
    }

    private static async Task<TransactionStore> StoreAsync(string prefix)
    {
        var connection = await StorageTestContext.ConnectionAsync();
        var store = new TransactionStore(StorageClients.CreateTableServiceClient(connection), StorageClients.CreateQueueServiceClient(connection),
            new NoQueueSignal(), new StorageNamesOptions { NamePrefix = prefix });
        await store.EnsureCreatedAsync(CancellationToken.None);
        return store;
    }
}
