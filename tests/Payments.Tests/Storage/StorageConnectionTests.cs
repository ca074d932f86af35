using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Payments.Core.Hosting;
using Payments.Core.Storage;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Storage;

[Trait("Category", Category.Unit)]
public class StorageConnectionTests
{
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    [Fact]
    public void Development_storage()
    {
        var c = StorageConnection.Parse("UseDevelopmentStorage=true");
        Assert.Equal(new Uri("http://127.0.0.1:10002/devstoreaccount1"), c.TableEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1"), c.QueueEndpoint);
        Assert.Equal("devstoreaccount1", c.AccountName);
        Assert.Equal(Key, c.AccountKey);
        Assert.Null(c.Credential);
        Assert.DoesNotContain(Key, c.ToString());
    }

    [Fact]
    public void Explicit_endpoints()
    {
        var c = StorageConnection.Parse($" DefaultEndpointsProtocol=http ; AccountName=devstoreaccount1;AccountKey={Key};" +
            "TableEndpoint=http://127.0.0.1:4711/devstoreaccount1;QueueEndpoint=http://127.0.0.1:4712/devstoreaccount1;BlobEndpoint=http://x/;");
        Assert.Equal(new Uri("http://127.0.0.1:4711/devstoreaccount1"), c.TableEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:4712/devstoreaccount1"), c.QueueEndpoint);
        Assert.Equal(Key, c.AccountKey);
        Assert.DoesNotContain(Key, c.ToString());
    }

    [Fact]
    public void Endpoints_derived_from_account_and_suffix()
    {
        var c = StorageConnection.Parse($"DefaultEndpointsProtocol=https;AccountName=payacct;AccountKey={Key};EndpointSuffix=core.chinacloudapi.cn");
        Assert.Equal(new Uri("https://payacct.table.core.chinacloudapi.cn"), c.TableEndpoint);
        Assert.Equal(new Uri("https://payacct.queue.core.chinacloudapi.cn"), c.QueueEndpoint);
        var d = StorageConnection.Parse($"AccountName=payacct;AccountKey={Key}");
        Assert.Equal(new Uri("https://payacct.table.core.windows.net"), d.TableEndpoint);
    }

    [Theory]
    [InlineData("AccountKey=" + Key, "AccountName")]
    [InlineData("AccountName=a;TableEndpoint=http://x", "AccountKey")]
    [InlineData("AccountName=a;AccountKey=" + Key + ";TableEndpoint=not a uri", "TableEndpoint")]
    [InlineData("AccountName=a;AccountKey=" + Key + ";DefaultEndpointsProtocol=ftp", "DefaultEndpointsProtocol")]
    [InlineData("AccountName=a;AccountKey=" + Key + "x!;", "base64")]
    [InlineData("AccountName=a;AccountKey=" + Key + ";SharedAccessSignature=sv=1", "SharedAccessSignature")]
    [InlineData("justgarbage;AccountName=a", "Name=value")]
    [InlineData("", "empty")]
    public void Bad_strings_give_clear_errors_without_the_key(string connectionString, string expected)
    {
        var e = Assert.Throws<FormatException>(() => StorageConnection.Parse(connectionString));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain(Key[..20], e.Message);
        Assert.DoesNotContain(Key[..20], e.ToString());
    }

    [Fact]
    public void Configuration_connection_string()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PaymentsStorage"] = "UseDevelopmentStorage=true",
        }).Build();
        var c = From(config);
        Assert.Equal("devstoreaccount1", c.AccountName);
    }

    [Fact]
    public void Configuration_bad_connection_string_names_the_setting_not_the_key()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PaymentsStorage"] = "AccountKey=" + Key,
        }).Build();
        var e = Assert.Throws<InvalidOperationException>(() => From(config));
        Assert.Contains("'PaymentsStorage'", e.Message);
        Assert.DoesNotContain(Key[..20], e.ToString());
    }

    [Fact]
    public void Configuration_managed_identity()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PaymentsStorage:tableServiceUri"] = "https://payacct.table.core.windows.net",
            ["PaymentsStorage:queueServiceUri"] = "https://payacct.queue.core.windows.net",
            ["PaymentsStorage:credential"] = "managedidentity",
            ["PaymentsStorage:clientId"] = "00000000-0000-0000-0000-000000000001",
        }).Build();
        var c = From(config);
        Assert.IsType<ManagedIdentityCredential>(c.Credential);
        Assert.Null(c.AccountKey);
        Assert.Equal("payacct", c.AccountName);
        Assert.Equal(new Uri("https://payacct.queue.core.windows.net"), c.QueueEndpoint);
        // the clients build with a bearer policy (nothing is sent here)
        _ = StorageClients.CreateTableServiceClient(c).GetTableClient("transactions");
        _ = StorageClients.CreateQueueServiceClient(c).GetQueueClient("refunds");
    }

    [Fact]
    public void Configuration_identity_without_credential_kind_uses_default_credential()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PaymentsStorage:tableServiceUri"] = "https://payacct.table.core.windows.net",
            ["PaymentsStorage:queueServiceUri"] = "https://payacct.queue.core.windows.net",
        }).Build();
        Assert.IsType<DefaultAzureCredential>(From(config).Credential);
    }

    [Fact]
    public void Configuration_missing_gives_clear_errors()
    {
        var empty = new ConfigurationBuilder().Build();
        Assert.Contains("PaymentsStorage", Assert.Throws<InvalidOperationException>(() => From(empty)).Message);
        var half = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:tableServiceUri"] = "https://payacct.table.core.windows.net",
            ["Storage:credential"] = "managedidentity",
        }).Build();
        Assert.Contains("PaymentsStorage__queueServiceUri", Assert.Throws<InvalidOperationException>(() => From(half)).Message);
    }

    /// <summary>The connection as the app binds it (the AzureWebJobs-prefixed rule included).</summary>
    private static StorageConnection From(IConfiguration configuration)
    {
        using var sp = new ServiceCollection().AddSingleton(configuration).AddStorageConnectionOptions().Services.BuildServiceProvider();
        var options = new StorageConnectionOptions();
        foreach (var configure in sp.GetServices<IConfigureOptions<StorageConnectionOptions>>()) configure.Configure(options);
        return StorageConnection.From(options);
    }
}
