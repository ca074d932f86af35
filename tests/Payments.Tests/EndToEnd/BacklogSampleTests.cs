using Microsoft.Extensions.Logging.Abstractions;
using Payments.Core.Finishing;
using Payments.Core.Hosting;
using Payments.Core.Storage;
using Payments.StandIns.Azurite;
using Payments.StandIns.Chaos;
using Microsoft.Extensions.Time.Testing;
using Payments.Tests.TestSupport;
using Payments.Core.Idempotency;

namespace Payments.Tests.EndToEnd;

/// <summary>The backlog sample when the queue service does not answer in time. Queues of its own per case (a
/// fresh prefix on the shared Azurite: they hold the messages for the whole test), reached through a delaying
/// proxy of its own (slowing or cutting it leaves the shared Azurite alone); no host.</summary>
[Trait("Category", Category.Storage)]
public sealed class BacklogSampleTests : IAsyncLifetime
{
    private const int MaxBacklog = 3;
    private AzuriteProcess _azurite = null!;
    private TcpDelayProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteProcess.SharedAsync();
        _proxy = TcpDelayProxy.Start(_azurite.QueuePort);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
    }

    [Theory]
    [InlineData(false)] // slower than the sample timeout: an overloaded queue service, deep queues
    [InlineData(true)] // unreachable
    public async Task A_sample_the_queue_service_does_not_answer_keeps_the_last_depth(bool down)
    {
        var connection = StorageConnection.Parse(
            $"DefaultEndpointsProtocol=http;AccountName={AzuriteProcess.AccountName};AccountKey={AzuriteProcess.AccountKey};" +
            $"QueueEndpoint={_proxy.Rewrite(_azurite.QueueEndpoint)};TableEndpoint={_azurite.TableEndpoint};");
        var options = new StorageClientOptions { MaxRetries = 0 };
        var store = new TransactionStore(StorageClients.CreateTableServiceClient(connection, options), StorageClients.CreateQueueServiceClient(connection, options), new NoQueueSignal(),
            new StorageNamesOptions { NamePrefix = Storage.StorageTestContext.NewPrefix() });
        await store.EnsureCreatedAsync(CancellationToken.None);
        for (var i = 0; i < MaxBacklog; i++)
            await store.EnqueueAsync(QueueNames.Notifications, new WorkItem("sample|test", $"op|S{i}").ToJson(), TimeSpan.FromMinutes(5), CancellationToken.None);

        var clock = new FakeTimeProvider();
        var backlog = new FinishingBacklog(store, new FinishingOptions { MaxBacklog = MaxBacklog }, clock, NullLogger<FinishingBacklog>.Instance);
        Assert.True(await backlog.IsFullAsync(CancellationToken.None));

        if (down) _proxy.Down = true; else _proxy.Latency = FinishingBacklog.SampleTimeout * 3;
        try
        {
            clock.Advance(FinishingBacklog.SampleInterval + TimeSpan.FromSeconds(1));
            // Counting that as an empty backlog would accept new work exactly when the queues are deepest.
            Assert.True(await backlog.IsFullAsync(CancellationToken.None));
            Assert.Equal(MaxBacklog, backlog.Depth);
        }
        finally
        {
            _proxy.Down = false;
            _proxy.Latency = TimeSpan.Zero;
        }
    }
}
