using System.Net;
using Payments.Core.Notifications;
using Payments.Core.Security;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Notifications;

/// <summary>The sealed POST both Google clients share: what a broken or hostile peer can make it read.</summary>
[Trait("Category", Category.Unit)]
public sealed class GoogleExchangeTests
{
    private static readonly GoogleNotificationOptions Options = new() { BaseUrl = new Uri("http://google.test/gsp"), Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>A 64 MiB body that counts what was read from it.</summary>
    private sealed class BigStream : Stream
    {
        public long BytesRead { get; private set; }
        public override int Read(byte[] buffer, int offset, int count)
        {
            count = (int)Math.Min(count, (64L << 20) - BytesRead);
            Array.Fill(buffer, (byte)'A', offset, count);
            BytesRead += count;
            return count;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class Answer(Func<HttpContent> content) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content() });
    }

    [Fact]
    public async Task A_64_MiB_answer_is_read_only_to_the_limit()
    {
        var body = new BigStream();
        var answer = await GoogleExchange.PostAsync(new HttpClient(new Answer(() => new StreamContent(body))), new PlainJsonEnvelope(), Options, TimeProvider.System,
            new Uri("http://google.test/gsp/x"), "{}"u8.ToArray(), default);

        Assert.Equal((GoogleCallEnd.Answered, 200, true), (answer.End, answer.Status, answer.TooLarge));
        Assert.Null(answer.Json);
        Assert.InRange(body.BytesRead, GoogleExchange.MaxAnswerBytes, GoogleExchange.MaxAnswerBytes + (1 << 20));
    }

    [Fact]
    public async Task An_answer_declaring_more_than_the_limit_is_not_read()
    {
        var body = new BigStream();
        var answer = await GoogleExchange.PostAsync(new HttpClient(new Answer(() =>
            {
                var content = new StreamContent(body);
                content.Headers.ContentLength = GoogleExchange.MaxAnswerBytes + 1L;
                return content;
            })), new PlainJsonEnvelope(), Options, TimeProvider.System, new Uri("http://google.test/gsp/x"), "{}"u8.ToArray(), default);

        Assert.True(answer.TooLarge);
        Assert.Equal(0, body.BytesRead);
    }

    [Fact]
    public async Task The_notification_client_gets_a_failed_attempt_for_a_64_MiB_answer()
    {
        var client = new GoogleNotificationClient(new HttpClient(new Answer(() => new StreamContent(new BigStream()))), new PlainJsonEnvelope(), Options,
            TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<GoogleNotificationClient>.Instance);
        var attempt = await client.SendAsync(new RefundResultNotification("P1", "n-1", "r", "SUCCESS"), default);
        Assert.Equal(NotificationOutcome.Failed, attempt.Outcome);
        Assert.Contains("body over", attempt.Detail);
    }
}
