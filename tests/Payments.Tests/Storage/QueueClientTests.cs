using Azure;
using Azure.Storage.Queues;
using Payments.Core.Storage;
using Payments.Core.Transactions;
using Payments.Tests.TestSupport;
using Payments.Core.Idempotency;

namespace Payments.Tests.Storage;

/// <summary>The queue behaviours the design relies on, with the SDK client as the app builds it, against Azurite.</summary>
[Trait("Category", Category.Storage)]
public class QueueClientTests
{
    [Fact]
    public async Task Messages_are_base64_of_utf8_on_the_wire()
    {
        var (_, queue) = await StorageTestContext.NewQueueAsync();
        var text = "{\"refund\":\"é中😀\"}";
        await queue.SendMessageAsync(text, timeToLive: TransactionStore.NeverExpire);
        // A client that does not decode sees exactly what the Functions trigger (messageEncoding=base64) decodes.
        var raw = StorageClients.CreateQueueServiceClient(await StorageTestContext.ConnectionAsync(), new StorageClientOptions { MessageEncoding = QueueMessageEncoding.None })
            .GetQueueClient(queue.Name);
        var peeked = Assert.Single((await raw.PeekMessagesAsync()).Value);
        Assert.Equal(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(text)), peeked.MessageText);
        Assert.Equal(text, Assert.Single((await queue.PeekMessagesAsync()).Value).MessageText);
    }

    [Fact]
    public async Task Never_expire_is_accepted_and_a_finite_ttl_sets_the_expiry()
    {
        var (_, queue) = await StorageTestContext.NewQueueAsync();
        var forever = (await queue.SendMessageAsync("forever", timeToLive: TransactionStore.NeverExpire)).Value;
        await queue.SendMessageAsync("hour", timeToLive: TimeSpan.FromHours(1));
        var messages = (await queue.PeekMessagesAsync(32)).Value;
        Assert.Equal(2, messages.Length);
        Assert.True(messages.Single(m => m.MessageId == forever.MessageId).ExpiresOn > DateTimeOffset.UtcNow.AddYears(100));
        Assert.InRange(messages.Single(m => m.MessageText == "hour").ExpiresOn!.Value, DateTimeOffset.UtcNow.AddMinutes(55), DateTimeOffset.UtcNow.AddMinutes(65));
    }

    [Fact]
    public async Task A_delayed_put_stays_hidden_until_due_and_counts_in_the_approximate_depth()
    {
        var (_, queue) = await StorageTestContext.NewQueueAsync();
        await queue.SendMessageAsync("later", visibilityTimeout: TimeSpan.FromSeconds(2), timeToLive: TransactionStore.NeverExpire);
        await queue.SendMessageAsync("now");
        Assert.Equal("now", Assert.Single((await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30))).Value).MessageText);
        Assert.Equal(2, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount); // leased and delayed both count
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal("later", Assert.Single((await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30))).Value).MessageText);
    }

    [Fact]
    public async Task Dequeue_count_rises_per_get_and_an_update_hands_out_a_new_pop_receipt()
    {
        var (_, queue) = await StorageTestContext.NewQueueAsync();
        await queue.SendMessageAsync("m");
        Assert.Equal(0, Assert.Single((await queue.PeekMessagesAsync()).Value).DequeueCount);
        for (var expected = 1; expected <= 3; expected++)
        {
            var got = Assert.Single((await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30))).Value);
            Assert.Equal(expected, got.DequeueCount);
            Assert.Empty((await queue.PeekMessagesAsync()).Value);
            var fresh = (await queue.UpdateMessageAsync(got.MessageId, got.PopReceipt, visibilityTimeout: TimeSpan.Zero)).Value; // release at once
            Assert.NotEqual(got.PopReceipt, fresh.PopReceipt);
            var stale = await Assert.ThrowsAsync<RequestFailedException>(() => queue.DeleteMessageAsync(got.MessageId, got.PopReceipt));
            Assert.Equal(400, stale.Status);
            Assert.Equal(expected, Assert.Single((await queue.PeekMessagesAsync()).Value).DequeueCount);
        }
    }

    [Fact]
    public async Task Queue_round_trips_are_counted_per_try()
    {
        var (sent, queue) = await StorageTestContext.NewQueueAsync();
        var before = sent.Queue;
        await queue.SendMessageAsync("m");
        await queue.PeekMessagesAsync();
        Assert.Equal(2, sent.Queue - before);
        Assert.Equal(0, sent.Table);
    }
}
