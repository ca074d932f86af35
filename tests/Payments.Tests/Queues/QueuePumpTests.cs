using System.Collections.Concurrent;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using Payments.Core.Storage;
using Payments.LocalHost.Queues;
using Payments.StandIns.Azurite;
using Payments.Tests.BackOffice;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Queues;

[Trait("Category", Category.Unit)]
public sealed class HostJsonQueueOptionsTests
{
    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Payments.Functions.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    [Fact]
    public void Reads_the_repository_host_json()
    {
        var options = HostJsonQueueOptions.Parse(File.ReadAllText(Path.Combine(RepoRoot(), "host.json")));
        Assert.Equal(16, options.BatchSize);
        Assert.Equal(8, options.NewBatchThreshold);
        Assert.Equal(TimeSpan.FromSeconds(2), options.MaxPollingInterval);
        Assert.Equal(5, options.MaxDequeueCount);
        Assert.Equal(TimeSpan.FromSeconds(10), options.VisibilityTimeout);
        Assert.Equal(QueueMessageEncoding.Base64, options.MessageEncoding);
        Assert.Equal(options, HostJsonQueueOptions.Load());
    }

    [Fact]
    public void Absent_values_take_the_Functions_defaults()
    {
        var options = HostJsonQueueOptions.Parse("""{"version":"2.0","extensions":{"queues":{"batchSize":4,"messageEncoding":"none"}}}""");
        Assert.Equal(4, options.BatchSize);
        Assert.Equal(2, options.NewBatchThreshold);
        Assert.Equal(TimeSpan.FromMinutes(1), options.MaxPollingInterval);
        Assert.Equal(5, options.MaxDequeueCount);
        Assert.Equal(TimeSpan.Zero, options.VisibilityTimeout);
        Assert.Equal(QueueMessageEncoding.None, options.MessageEncoding);
        Assert.Equal(new HostJsonQueueOptions(), HostJsonQueueOptions.Parse("""{"version":"2.0"}"""));
    }

    [Theory]
    [InlineData("""{"extensions":{"queues":{"batchSize":64}}}""", "batchSize")]
    [InlineData("""{"extensions":{"queues":{"visibilityTimeout":"soon"}}}""", "visibilityTimeout")]
    [InlineData("""{"extensions":{"queues":{"messageEncoding":"utf16"}}}""", "messageEncoding")]
    public void Bad_values_are_refused_by_name(string json, string name)
        => Assert.Contains(name, Assert.Throws<FormatException>(() => HostJsonQueueOptions.Parse(json)).Message);
}

/// <summary>The queue pump against Azurite.</summary>
[Trait("Category", Category.Storage)]
public sealed class QueuePumpTests : IAsyncLifetime
{
    private QueueServiceClient _service = null!;
    private QueueClient _queue = null!;
    private QueueClient _poison = null!;
    private readonly ILoggerFactory _logs = LogRecords.Factory(out _);
    private readonly List<QueuePump> _pumps = [];

    private static readonly HostJsonQueueOptions Fast = new()
    {
        BatchSize = 8,
        NewBatchThreshold = 4,
        MaxPollingInterval = TimeSpan.FromMilliseconds(300),
        MaxDequeueCount = 3,
        VisibilityTimeout = TimeSpan.FromSeconds(1),
    };

    public async Task InitializeAsync()
    {
        var azurite = await AzuriteProcess.SharedAsync();
        _service = StorageClients.CreateQueueServiceClient(StorageConnection.Parse(azurite.ConnectionString), new StorageClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var name = "pump-" + Guid.NewGuid().ToString("N")[..20];
        _queue = _service.GetQueueClient(name);
        _poison = _service.GetQueueClient(name + "-poison");
        await _queue.CreateIfNotExistsAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var pump in _pumps)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await pump.StopAsync(cts.Token);
            pump.Dispose();
        }
        _logs.Dispose();
    }

    private async Task<QueuePump> StartPumpAsync(Func<string, CancellationToken, Task> handler, HostJsonQueueOptions? options = null, TimeSpan? lease = null, TimeSpan? minPolling = null)
    {
        var pump = QueuePump.Create(_service, _queue.Name, handler, options ?? Fast, _logs,
            new QueuePumpOptions { LeaseDuration = lease ?? TimeSpan.FromSeconds(10), MinPollingInterval = minPolling ?? TimeSpan.FromMilliseconds(50) });
        _pumps.Add(pump);
        await pump.StartAsync(default);
        return pump;
    }

    private static async Task Eventually(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("timed out waiting for " + what);
            await Task.Delay(50);
        }
    }

    private async Task<int> ApproximateCountAsync(QueueClient queue) => (await queue.PeekMessagesAsync(32)).Value.Length;

    [Fact]
    public async Task Success_deletes_the_message()
    {
        var seen = new ConcurrentQueue<string>();
        await _queue.SendMessageAsync("""{"op":"refund","id":"é-1"}""");
        var pump = await StartPumpAsync((text, _) => { seen.Enqueue(text); return Task.CompletedTask; });

        await Eventually(() => Task.FromResult(pump.ProcessedCount == 1), TimeSpan.FromSeconds(10), "processing");
        Assert.Equal(["""{"op":"refund","id":"é-1"}"""], seen);
        await Eventually(async () => await ApproximateCountAsync(_queue) == 0, TimeSpan.FromSeconds(5), "delete");
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // past the visibility timeout: nothing comes back
        Assert.Single(seen);
    }

    [Fact]
    public async Task Failure_redelivers_after_the_visibility_timeout()
    {
        var deliveries = new ConcurrentQueue<DateTimeOffset>();
        await _queue.SendMessageAsync("fail-once");
        var pump = await StartPumpAsync((_, _) =>
        {
            deliveries.Enqueue(DateTimeOffset.UtcNow);
            return deliveries.Count == 1 ? Task.FromException(new InvalidOperationException("boom")) : Task.CompletedTask;
        });

        await Eventually(() => Task.FromResult(pump.ProcessedCount == 1), TimeSpan.FromSeconds(15), "second delivery");
        var times = deliveries.ToArray();
        Assert.Equal(2, times.Length);
        Assert.True(times[1] - times[0] >= TimeSpan.FromMilliseconds(900), $"redelivered after {(times[1] - times[0]).TotalMilliseconds} ms");
        Assert.Equal(1, pump.FailedCount);
        Assert.Equal(0, pump.PoisonedCount);
    }

    [Fact]
    public async Task Poison_after_maxDequeueCount_keeps_the_original_text()
    {
        var calls = 0;
        const string text = """{"kind":"notification","requestId":"n-42","note":"ünïcode & <xml>"}""";
        await _queue.SendMessageAsync(text);
        var pump = await StartPumpAsync((_, _) =>
        {
            Interlocked.Increment(ref calls);
            throw new InvalidOperationException("always");
        });

        await Eventually(() => Task.FromResult(pump.PoisonedCount == 1), TimeSpan.FromSeconds(20), "poison");
        Assert.Equal(Fast.MaxDequeueCount, calls);
        var poisoned = Assert.Single((await _poison.PeekMessagesAsync(32)).Value);
        Assert.Equal(text, poisoned.MessageText);
        await Eventually(async () => await ApproximateCountAsync(_queue) == 0, TimeSpan.FromSeconds(5), "original deleted");
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(Fast.MaxDequeueCount, calls);
    }

    [Fact]
    public async Task A_message_that_is_not_base64_goes_to_poison_and_does_not_block_the_queue()
    {
        var raw = StorageClients.CreateQueueServiceClient(StorageConnection.Parse((await AzuriteProcess.SharedAsync()).ConnectionString),
            new StorageClientOptions { MessageEncoding = QueueMessageEncoding.None }).GetQueueClient(_queue.Name);
        await raw.SendMessageAsync("not base64 {!}");
        await _queue.SendMessageAsync("fine");
        var seen = new ConcurrentQueue<string>();
        var pump = await StartPumpAsync((text, _) => { seen.Enqueue(text); return Task.CompletedTask; });

        await Eventually(async () => pump.ProcessedCount == 1 && await ApproximateCountAsync(_poison) == 1, TimeSpan.FromSeconds(10), "one processed, one poisoned");
        Assert.Equal(["fine"], seen);
        Assert.Equal("not base64 {!}", Assert.Single((await _poison.PeekMessagesAsync(32)).Value).MessageText);
        await Eventually(async () => await ApproximateCountAsync(_queue) == 0, TimeSpan.FromSeconds(5), "both gone from the queue");
    }

    [Fact]
    public async Task Message_already_over_maxDequeueCount_goes_to_poison_without_running()
    {
        var options = Fast with { MaxDequeueCount = 1 };
        await _queue.SendMessageAsync("crashed-before");
        var taken = Assert.Single((await _queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(1))).Value); // a delivery whose process "died"
        Assert.Equal(1, taken.DequeueCount);
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        var calls = 0;
        var pump = await StartPumpAsync((_, _) => { Interlocked.Increment(ref calls); return Task.CompletedTask; }, options);

        await Eventually(() => Task.FromResult(pump.PoisonedCount == 1), TimeSpan.FromSeconds(10), "poison");
        Assert.Equal(0, calls);
        Assert.Equal("crashed-before", Assert.Single((await _poison.PeekMessagesAsync(32)).Value).MessageText);
    }

    [Fact]
    public async Task Lease_is_renewed_for_a_slow_handler_and_a_second_pump_never_sees_the_message()
    {
        var calls = 0;
        await _queue.SendMessageAsync("slow");
        // The handler outlasts two leases. A 6-s lease is renewed every 2 s, so a renewal may come up to 4 s late
        // before the message shows again (3-s leases failed in CI with the whole suite on two busy cores).
        async Task Slow(string _, CancellationToken ct)
        {
            Interlocked.Increment(ref calls);
            await Task.Delay(TimeSpan.FromSeconds(13), ct);
        }
        var first = await StartPumpAsync(Slow, lease: TimeSpan.FromSeconds(6));
        await Eventually(() => Task.FromResult(Volatile.Read(ref calls) == 1), TimeSpan.FromSeconds(10), "first delivery");
        var second = await StartPumpAsync(Slow, lease: TimeSpan.FromSeconds(6));

        await Eventually(() => Task.FromResult(first.ProcessedCount + second.ProcessedCount == 1), TimeSpan.FromSeconds(30), "completion");
        await Task.Delay(TimeSpan.FromSeconds(6.5)); // past one more lease period
        Assert.Equal(1, Volatile.Read(ref calls));
        Assert.Equal(0, await ApproximateCountAsync(_queue));
    }

    [Fact]
    public async Task Two_pumps_on_one_queue_process_each_message_once()
    {
        var counts = new ConcurrentDictionary<string, int>();
        for (var i = 0; i < 40; i++) await _queue.SendMessageAsync("m-" + i);
        async Task Handle(string text, CancellationToken ct)
        {
            counts.AddOrUpdate(text, 1, (_, n) => n + 1);
            await Task.Delay(Random.Shared.Next(5, 60), ct);
        }
        var a = await StartPumpAsync(Handle);
        var b = await StartPumpAsync(Handle);

        await Eventually(() => Task.FromResult(a.ProcessedCount + b.ProcessedCount >= 40), TimeSpan.FromSeconds(30), "all messages");
        await Task.Delay(500);
        Assert.Equal(40, counts.Count);
        Assert.All(counts, kv => Assert.Equal(1, kv.Value));
        Assert.True(a.ProcessedCount > 0 && b.ProcessedCount > 0, $"a={a.ProcessedCount} b={b.ProcessedCount}");
    }

    [Fact]
    public async Task Concurrency_is_bounded_by_batchSize_plus_newBatchThreshold()
    {
        var options = Fast with { BatchSize = 4, NewBatchThreshold = 2 };
        var current = 0;
        var max = 0;
        for (var i = 0; i < 20; i++) await _queue.SendMessageAsync("c-" + i);
        var pump = await StartPumpAsync(async (_, ct) =>
        {
            var now = Interlocked.Increment(ref current);
            int seen;
            while ((seen = Volatile.Read(ref max)) < now && Interlocked.CompareExchange(ref max, now, seen) != seen) { }
            await Task.Delay(150, ct);
            Interlocked.Decrement(ref current);
        }, options);

        await Eventually(() => Task.FromResult(pump.ProcessedCount == 20), TimeSpan.FromSeconds(30), "all messages");
        Assert.InRange(max, 2, options.MaxConcurrency);
    }

    [Fact]
    public async Task Stops_cleanly_and_a_cancelled_message_becomes_visible_again()
    {
        var started = new TaskCompletionSource();
        await _queue.SendMessageAsync("interrupted");
        var pump = await StartPumpAsync(async (_, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await pump.StopAsync(cts.Token);
        Assert.False(cts.IsCancellationRequested);
        _pumps.Remove(pump);
        pump.Dispose();

        var again = Assert.Single((await _queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(5))).Value);
        Assert.Equal("interrupted", again.MessageText);
        Assert.Equal(0, pump.FailedCount);
    }

    [Fact]
    public async Task Wake_cuts_the_backoff_short()
    {
        var options = Fast with { MaxPollingInterval = TimeSpan.FromSeconds(20) };
        var handled = new TaskCompletionSource<DateTimeOffset>();
        // Every wait after an empty poll is at least 8 s: only Wake can make the pump see the message quickly.
        var pump = await StartPumpAsync((_, _) => { handled.TrySetResult(DateTimeOffset.UtcNow); return Task.CompletedTask; }, options, minPolling: TimeSpan.FromSeconds(8));
        await Task.Delay(TimeSpan.FromSeconds(1)); // the first (empty) poll is done; the pump is backing off

        await _queue.SendMessageAsync("wake");
        var sent = DateTimeOffset.UtcNow;
        pump.Wake();
        var at = await handled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(at - sent < TimeSpan.FromSeconds(4), $"handled {(at - sent).TotalMilliseconds} ms after the put");
    }
}
