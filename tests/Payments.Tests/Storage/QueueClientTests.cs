using Payments.Core.Storage;

namespace Payments.Tests.Storage;

public class QueueClientTests
{
    [Fact]
    public async Task Create_is_idempotent()
    {
        var (_, queue) = await StorageTestContext.NewQueueAsync();
        await queue.CreateIfNotExistsAsync();
        await queue.CreateIfNotExistsAsync();
    }

    [Fact]
    public async Task Approximate_count_includes_leased_and_delayed_messages()
    {
        var (_, queue) = await StorageTestContext.NewQueueAsync();
        Assert.Equal(0, await queue.GetApproximateMessageCountAsync());
        await queue.SendAsync("a");
        await queue.SendAsync("b", visibilityDelay: TimeSpan.FromMinutes(5));
        await queue.SendAsync("c");
        Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromMinutes(1)));
        Assert.Equal(3, await queue.GetApproximateMessageCountAsync());
    }

    [Fact]
    public async Task Send_receive_delete()
    {
        var (_, queue) = await StorageTestContext.NewQueueAsync();
        var receipt = await queue.SendAsync("{\"id\":1}");
        Assert.False(string.IsNullOrEmpty(receipt.MessageId));
        Assert.False(string.IsNullOrEmpty(receipt.PopReceipt));

        var got = Assert.Single(await queue.ReceiveAsync(32, TimeSpan.FromSeconds(30)));
        Assert.Equal(receipt.MessageId, got.MessageId);
        Assert.Equal("{\"id\":1}", got.Text);
        Assert.Equal(1, got.DequeueCount);
        Assert.True(got.NextVisibleOn > DateTimeOffset.UtcNow.AddSeconds(20));
        Assert.True(got.ExpiresOn > DateTimeOffset.UtcNow.AddDays(6));
        Assert.Empty(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(30)));

        await queue.DeleteAsync(got.MessageId, got.PopReceipt);
        Assert.Empty(await queue.PeekAsync(32));
        var gone = await Assert.ThrowsAsync<StorageRequestFailedException>(() => queue.DeleteAsync(got.MessageId, got.PopReceipt));
        Assert.Equal(404, gone.Status);
    }

    [Fact]
    public async Task Messages_are_base64_of_utf8_on_the_wire()
    {
        var (_, queue) = await StorageTestContext.NewQueueAsync();
        var text = "{\"refund\":\"é中😀\"}";
        await queue.SendAsync(text);
        // A client that does not decode sees exactly what the Functions trigger (messageEncoding=base64) decodes.
        var raw = new QueueServiceClient(await StorageTestContext.ConnectionAsync(), new StorageClientOptions { MessageEncoding = QueueMessageEncoding.None })
            .GetQueueClient(queue.Name);
        var peeked = Assert.Single(await raw.PeekAsync());
        Assert.Equal(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(text)), peeked.Text);
        Assert.Equal(text, Assert.Single(await queue.PeekAsync()).Text);
    }

    [Theory]
    [InlineData(QueueMessageEncoding.Base64)]
    [InlineData(QueueMessageEncoding.None)]
    public async Task Xml_special_characters_and_non_ascii_round_trip(QueueMessageEncoding encoding)
    {
        var (_, queue) = await StorageTestContext.NewQueueAsync(encoding);
        var text = "<QueueMessage>&amp; </MessageText> \"'\t\r\n]]> é中😀 <![CDATA[x]]>";
        await queue.SendAsync(text);
        Assert.Equal(text, Assert.Single(await queue.PeekAsync()).Text);
        var got = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(10)));
        Assert.Equal(text, got.Text);
        var receipt = await queue.UpdateAsync(got.MessageId, got.PopReceipt, TimeSpan.Zero, text + "&2");
        Assert.Equal(text + "&2", Assert.Single(await queue.PeekAsync()).Text);
        Assert.False(string.IsNullOrEmpty(receipt));
    }

    [Fact]
    public async Task Unencoded_text_that_xml_cannot_carry_is_refused()
    {
        var (service, queue) = await StorageTestContext.NewQueueAsync(QueueMessageEncoding.None);
        var before = service.RequestsSent;
        await Assert.ThrowsAsync<ArgumentException>(() => queue.SendAsync("a\u0001b"));
        Assert.Equal(before, service.RequestsSent);
    }

    [Fact]
    public async Task Update_returns_a_new_pop_receipt_and_the_old_one_dies()
    {
        var (_, queue) = await StorageTestContext.NewQueueAsync();
        await queue.SendAsync("m");
        var got = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(30)));
        var fresh = await queue.UpdateAsync(got.MessageId, got.PopReceipt, TimeSpan.FromSeconds(60));
        Assert.NotEqual(got.PopReceipt, fresh);

        var stale = await Assert.ThrowsAsync<StorageRequestFailedException>(() => queue.DeleteAsync(got.MessageId, got.PopReceipt));
        Assert.Equal(400, stale.Status);
        Assert.Equal("PopReceiptMismatch", stale.ErrorCode);
        var staleUpdate = await Assert.ThrowsAsync<StorageRequestFailedException>(() => queue.UpdateAsync(got.MessageId, got.PopReceipt, TimeSpan.Zero));
        Assert.Equal(400, staleUpdate.Status);

        Assert.Empty(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(1)));
        await queue.DeleteAsync(got.MessageId, fresh);
        Assert.Empty(await queue.PeekAsync());
    }

    [Fact]
    public async Task Update_to_zero_visibility_makes_the_message_visible_again()
    {
        var (_, queue) = await StorageTestContext.NewQueueAsync();
        await queue.SendAsync("m");
        var got = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(60)));
        Assert.Empty(await queue.PeekAsync());
        await queue.UpdateAsync(got.MessageId, got.PopReceipt, TimeSpan.Zero);
        Assert.Single(await queue.PeekAsync());
    }

    [Fact]
    public async Task Oversize_message_is_refused_before_sending()
    {
        var (service, queue) = await StorageTestContext.NewQueueAsync();
        var before = service.RequestsSent;
        // 49152 UTF-8 bytes → 65536 base64 characters: exactly the limit.
        var limit = new string('a', 49152);
        var over = new string('a', 49153);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => queue.SendAsync(over));
        Assert.Contains("64 KiB", e.Message);
        var got = await queue.ReceiveAsync(1, TimeSpan.FromSeconds(1)); // nothing there yet
        Assert.Empty(got);
        Assert.Equal(before + 1, service.RequestsSent);
        await queue.SendAsync(limit);
        Assert.Equal(limit, Assert.Single(await queue.PeekAsync()).Text);

        var (rawService, raw) = await StorageTestContext.NewQueueAsync(QueueMessageEncoding.None);
        before = rawService.RequestsSent;
        await Assert.ThrowsAsync<ArgumentException>(() => raw.SendAsync(new string('é', 32 * 1024 + 1)));
        await Assert.ThrowsAsync<ArgumentException>(() => raw.UpdateAsync("id", "receipt", TimeSpan.Zero, new string('b', 64 * 1024 + 1)));
        Assert.Equal(before, rawService.RequestsSent);
    }

    [Fact]
    public async Task Dequeue_count_rises_per_get_and_peek_does_not_change_it()
    {
        var (_, queue) = await StorageTestContext.NewQueueAsync();
        await queue.SendAsync("m");
        Assert.Equal(0, Assert.Single(await queue.PeekAsync()).DequeueCount);
        var first = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(1)));
        Assert.Equal(1, first.DequeueCount);
        Assert.Empty(await queue.PeekAsync());
        await Task.Delay(TimeSpan.FromMilliseconds(1300)); // the lease runs out
        Assert.Equal(1, Assert.Single(await queue.PeekAsync()).DequeueCount);
        for (var expected = 2; expected <= 4; expected++)
        {
            var got = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(30)));
            Assert.Equal(expected, got.DequeueCount);
            await queue.UpdateAsync(got.MessageId, got.PopReceipt, TimeSpan.Zero); // release at once
            Assert.Equal(expected, Assert.Single(await queue.PeekAsync()).DequeueCount);
            Assert.Equal(expected, Assert.Single(await queue.PeekAsync()).DequeueCount);
        }
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => queue.ReceiveAsync(1, TimeSpan.Zero));
    }

    [Fact]
    public async Task Infinite_ttl_is_accepted_and_finite_ttl_sets_expiry()
    {
        var (_, queue) = await StorageTestContext.NewQueueAsync();
        var forever = await queue.SendAsync("forever", timeToLive: Timeout.InfiniteTimeSpan);
        await queue.SendAsync("hour", timeToLive: TimeSpan.FromHours(1));
        var messages = await queue.PeekAsync(32);
        Assert.Equal(2, messages.Count);
        var f = messages.Single(m => m.MessageId == forever.MessageId);
        Assert.True(f.ExpiresOn > DateTimeOffset.UtcNow.AddYears(100));
        var h = messages.Single(m => m.Text == "hour");
        Assert.InRange(h.ExpiresOn, DateTimeOffset.UtcNow.AddMinutes(55), DateTimeOffset.UtcNow.AddMinutes(65));
    }

    [Fact]
    public async Task Visibility_delay_on_put_hides_the_message_until_due()
    {
        var (_, queue) = await StorageTestContext.NewQueueAsync();
        var receipt = await queue.SendAsync("later", visibilityDelay: TimeSpan.FromSeconds(2));
        Assert.True(receipt.NextVisibleOn > DateTimeOffset.UtcNow.AddSeconds(0.5));
        Assert.Empty(await queue.PeekAsync());
        Assert.Empty(await queue.ReceiveAsync(32, TimeSpan.FromSeconds(30)));
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal("later", Assert.Single(await queue.ReceiveAsync(32, TimeSpan.FromSeconds(30))).Text);
    }

    [Fact]
    public async Task Receive_takes_up_to_32()
    {
        var (_, queue) = await StorageTestContext.NewQueueAsync();
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => queue.SendAsync($"m{i}")));
        var first = await queue.ReceiveAsync(32, TimeSpan.FromSeconds(60));
        Assert.Equal(32, first.Count);
        var rest = await queue.ReceiveAsync(32, TimeSpan.FromSeconds(60));
        Assert.Equal(8, rest.Count);
        Assert.Equal(40, first.Concat(rest).Select(m => m.Text).Distinct().Count());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => queue.ReceiveAsync(33, TimeSpan.Zero));
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Upper")]
    [InlineData("-lead")]
    [InlineData("double--hyphen")]
    [InlineData("under_score")]
    public async Task Invalid_queue_names_are_refused(string name)
    {
        var service = new QueueServiceClient(await StorageTestContext.ConnectionAsync());
        Assert.Throws<ArgumentException>(() => service.GetQueueClient(name));
    }
}
