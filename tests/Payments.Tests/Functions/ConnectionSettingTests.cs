using Payments.Core.Idempotency;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Payments.Core.Hosting;
using Payments.Core.Storage;
using Payments.StandIns.Azurite;
using Payments.Tests.EndToEnd;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Functions;

/// <summary>The Functions host reads a trigger's connection X as AzureWebJobsX first, then X; the app's own
/// storage clients and the local host's queue pumps apply the same rule, so triggers listen where the app writes.</summary>
[Trait("Category", Category.EndToEnd)]
public sealed class ConnectionSettingTests
{
    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void The_AzureWebJobs_form_wins_then_the_plain_name()
    {
        Assert.Equal("PaymentsStorage", ConnectionSetting.Resolve(Settings(("AzureWebJobsStorage", "UseDevelopmentStorage=true"), ("PaymentsStorage", "x")), "PaymentsStorage"));
        Assert.Equal("AzureWebJobsPaymentsStorage", ConnectionSetting.Resolve(Settings(("AzureWebJobsPaymentsStorage", "a"), ("PaymentsStorage", "b")), "PaymentsStorage"));
        Assert.Equal("AzureWebJobsPaymentsStorage", ConnectionSetting.Resolve(Settings(("AzureWebJobsPaymentsStorage:queueServiceUri", "https://a.queue.core.windows.net")), "PaymentsStorage"));
        // Why the app's connection is not called "Storage": the host would read its own storage account.
        Assert.Equal("AzureWebJobsStorage", ConnectionSetting.Resolve(Settings(("AzureWebJobsStorage", "host"), ("Storage", "app")), "Storage"));
    }

    [Theory]
    [InlineData("AzureWebJobsStorage")]          // the host's own storage elsewhere: the app and its triggers stay on PaymentsStorage
    [InlineData("AzureWebJobsPaymentsStorage")]  // the AzureWebJobs form of the app's connection: both move to it
    public async Task Queue_triggers_and_the_apps_writes_meet_when_two_storage_accounts_are_configured(string otherSetting)
    {
        // Two accounts: the shared Azurite (the host's tables and queues under its own prefix) and one of its own.
        var appStorage = await AzuriteProcess.SharedAsync();
        await using var other = await AzuriteProcess.StartAsync();
        await using var host = await LocalHostUnderTest.StartAsync(appStorage, new Dictionary<string, string?> { [otherSetting] = other.ConnectionString });
        var used = otherSetting == "AzureWebJobsStorage" ? appStorage : other;
        var unused = used == appStorage ? other : appStorage;

        var (id, _) = await host.PaidReferenceNumberAsync(2_000_000);
        Assert.True(await host.Google.WaitForAcceptedAsync(1, TimeSpan.FromSeconds(30)), "the paid notification was written where no pump listens");

        var transactions = host.Services.GetRequiredService<TransactionStore>().Transactions.Name;
        async Task<int> RowsAsync(AzuriteProcess azurite)
        {
            var tables = StorageClients.CreateTableServiceClient(StorageConnection.Parse(azurite.ConnectionString));
            var count = 0;
            try { await foreach (var _ in tables.GetTableClient(transactions).QueryAsync<Azure.Data.Tables.TableEntity>()) count++; }
            catch (Azure.RequestFailedException e) when (e.Status == 404) { }
            return count;
        }
        Assert.True(await RowsAsync(used) > 0, id);
        Assert.Equal(0, await RowsAsync(unused));
    }
}
