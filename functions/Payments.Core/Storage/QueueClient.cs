using System.Buffers;
using System.Globalization;
using System.Text;
using System.Xml;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Payments.Core.Storage;

/// <summary>Entry point for queues: owns one pipeline and one pooled HTTP handler. Create it once per
/// process (a singleton) and share it; <see cref="GetQueueClient"/> is cheap and its clients are thread-safe.</summary>
public sealed class QueueServiceClient
{
    internal readonly HttpPipeline Pipeline;
    /// <summary>The SharedKey signer (null with a TokenCredential); tests fix its clock.</summary>
    internal readonly SharedKeyPolicyBase? SharedKeyPolicy;
    internal readonly MetricsPolicy Metrics = new(StorageService.Queue);
    internal readonly StorageClientOptions Options;
    internal readonly StorageEndpoint Endpoint;

    public QueueServiceClient(StorageConnection connection, StorageClientOptions? options = null)
        : this(connection, options, transport: null)
    {
    }

    /// <summary>For tests: a custom transport.</summary>
    internal QueueServiceClient(StorageConnection connection, StorageClientOptions? options, HttpPipelineTransport? transport)
    {
        ArgumentNullException.ThrowIfNull(connection);
        Options = options ?? new StorageClientOptions();
        Endpoint = new StorageEndpoint(connection.QueueEndpoint);
        Pipeline = StoragePipeline.Build(StorageService.Queue, connection, Options, Metrics, transport, out var sharedKey);
        SharedKeyPolicy = sharedKey;
    }

    /// <summary>HTTP requests this client has sent (retries included).</summary>
    public long RequestsSent => Metrics.Sent;

    /// <summary>Queue names: 3–63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit.</summary>
    public QueueClient GetQueueClient(string queueName)
    {
        ArgumentException.ThrowIfNullOrEmpty(queueName);
        var valid = queueName.Length is >= 3 and <= 63
            && queueName.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
            && queueName[0] != '-' && queueName[^1] != '-' && !queueName.Contains("--", StringComparison.Ordinal);
        if (!valid)
        {
            throw new ArgumentException($"Queue name '{queueName}' is invalid: 3–63 lower-case letters, digits and single hyphens, not starting or ending with a hyphen.", nameof(queueName));
        }
        return new QueueClient(this, queueName);
    }
}

public sealed class QueueClient
{
    /// <summary>The service's limit on a message as sent (after encoding).</summary>
    public const int MaxMessageBytes = 64 * 1024;
    private const int MaxVisibilitySeconds = 7 * 24 * 3600;

    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreWhitespace = true,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
    };

    private readonly QueueServiceClient _service;
    private readonly string _queuePath;
    private readonly string _messagesPath;

    internal QueueClient(QueueServiceClient service, string name)
    {
        _service = service;
        Name = name;
        _queuePath = service.Endpoint.BasePath + "/" + name;
        _messagesPath = _queuePath + "/messages";
    }

    public string Name { get; }

    public async Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Put, _queuePath, null);
        using var body = await ResponseBody.SendAsync(_service.Pipeline, message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status is 201 or 204) return;
        var error = StorageErrors.FromResponse(response, body, $"Create queue '{Name}'");
        // 409 QueueAlreadyExists: the queue exists with other metadata; it exists, which is all we need.
        if (error.Status == 409 && error.ErrorCode == "QueueAlreadyExists") return;
        throw error;
    }

    /// <summary>The queue's approximate message count (Get Queue Metadata): visible and invisible
    /// messages alike, "not lower than the actual number", says the service.</summary>
    public async Task<long> GetApproximateMessageCountAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Get, _queuePath, "?comp=metadata");
        using var body = await ResponseBody.SendAsync(_service.Pipeline, message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status != 200) throw StorageErrors.FromResponse(response, body, $"Get metadata of '{Name}'");
        return response.Headers.TryGetValue("x-ms-approximate-messages-count", out var count)
               && long.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw StorageErrors.Create(response.Status, "MissingMessageCount", "the response carried no x-ms-approximate-messages-count", $"Get metadata of '{Name}'");
    }

    /// <param name="text">message text before encoding (encoded per options, ≤ 64 KiB after encoding, checked before sending)</param>
    /// <param name="visibilityDelay">delays the first delivery (0..7 days)</param>
    /// <param name="timeToLive">null = service default (7 days); <see cref="Timeout.InfiniteTimeSpan"/> = never expires (-1)</param>
    /// <exception cref="ArgumentException">the encoded text exceeds <see cref="MaxMessageBytes"/> bytes, or (with
    /// <see cref="QueueMessageEncoding.None"/>) holds characters XML cannot carry; nothing was sent.</exception>
    /// <remarks>A put retried after a lost answer can store the message twice: consumers are idempotent.</remarks>
    public async Task<SendReceipt> SendAsync(string text, TimeSpan? visibilityDelay = null, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        var requestBody = BuildBody(text);
        var query = new StringBuilder("?");
        if (visibilityDelay is { } delay) query.Append("visibilitytimeout=").Append(Seconds(delay, nameof(visibilityDelay))).Append('&');
        if (timeToLive is { } ttl)
        {
            query.Append("messagettl=");
            if (ttl == Timeout.InfiniteTimeSpan) query.Append("-1");
            else if (ttl <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeToLive), "timeToLive must be positive or Timeout.InfiniteTimeSpan.");
            else query.Append((long)Math.Ceiling(ttl.TotalSeconds));
            query.Append('&');
        }
        query.Length--;
        using var message = CreateMessage(RequestMethod.Post, _messagesPath, query.Length > 0 ? query.ToString() : null);
        message.Request.Content = RequestContent.Create(requestBody);
        using var body = await ResponseBody.SendAsync(_service.Pipeline, message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status != 201) throw StorageErrors.FromResponse(response, body, $"Put message on '{Name}'");
        var list = ReadMessages(body);
        if (list.Count != 1) throw StorageErrors.Create(response.Status, "UnexpectedResponse", "no message in the put response", $"Put message on '{Name}'");
        var m = list[0];
        return new SendReceipt(m.MessageId, m.PopReceipt ?? "", m.NextVisibleOn ?? default);
    }

    /// <summary>Gets up to <paramref name="maxMessages"/> (1..32) messages, each hidden for
    /// <paramref name="visibilityTimeout"/> (1 s .. 7 days); every get raises the message's dequeue count.</summary>
    public async Task<IReadOnlyList<QueueMessage>> ReceiveAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessages, 32);
        if (visibilityTimeout < TimeSpan.FromSeconds(1))
        {
            // The service answers 400 OutOfRangeQueryParameterValue below 1 s; say so before sending.
            throw new ArgumentOutOfRangeException(nameof(visibilityTimeout), "A get's visibility timeout must be between 1 second and 7 days.");
        }
        var query = string.Concat("?numofmessages=", maxMessages.ToString(CultureInfo.InvariantCulture),
            "&visibilitytimeout=", Seconds(visibilityTimeout, nameof(visibilityTimeout)).ToString(CultureInfo.InvariantCulture));
        using var message = CreateMessage(RequestMethod.Get, _messagesPath, query);
        using var body = await ResponseBody.SendAsync(_service.Pipeline, message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status != 200) throw StorageErrors.FromResponse(response, body, $"Get messages from '{Name}'");
        var raw = ReadMessages(body);
        var result = new QueueMessage[raw.Count];
        for (var i = 0; i < raw.Count; i++)
        {
            var m = raw[i];
            result[i] = new QueueMessage(m.MessageId, m.PopReceipt ?? "", Decode(m.Text), m.DequeueCount,
                m.InsertedOn ?? default, m.ExpiresOn ?? DateTimeOffset.MaxValue, m.NextVisibleOn ?? default);
        }
        return result;
    }

    /// <summary>404 MessageNotFound when gone; 400 PopReceiptMismatch when the receipt is stale.</summary>
    public async Task DeleteAsync(string messageId, string popReceipt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        ArgumentException.ThrowIfNullOrEmpty(popReceipt);
        using var message = CreateMessage(RequestMethod.Delete, MessagePath(messageId), "?popreceipt=" + Uri.EscapeDataString(popReceipt));
        using var body = await ResponseBody.SendAsync(_service.Pipeline, message, cancellationToken).ConfigureAwait(false);
        if (message.Response.Status != 204) throw StorageErrors.FromResponse(message.Response, body, $"Delete message from '{Name}'");
    }

    /// <summary>Sets the visibility timeout (and, when <paramref name="text"/> is not null, the text).</summary>
    /// <returns>the new pop receipt (the old one is dead).</returns>
    public async Task<string> UpdateAsync(string messageId, string popReceipt, TimeSpan visibilityTimeout, string? text = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        ArgumentException.ThrowIfNullOrEmpty(popReceipt);
        var requestBody = text is null ? null : BuildBody(text);
        var query = string.Concat("?popreceipt=", Uri.EscapeDataString(popReceipt),
            "&visibilitytimeout=", Seconds(visibilityTimeout, nameof(visibilityTimeout)).ToString(CultureInfo.InvariantCulture));
        using var message = CreateMessage(RequestMethod.Put, MessagePath(messageId), query);
        if (requestBody is not null) message.Request.Content = RequestContent.Create(requestBody);
        using var body = await ResponseBody.SendAsync(_service.Pipeline, message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status != 204) throw StorageErrors.FromResponse(response, body, $"Update message on '{Name}'");
        return response.Headers.TryGetValue("x-ms-popreceipt", out var receipt) && !string.IsNullOrEmpty(receipt)
            ? receipt
            : throw StorageErrors.Create(response.Status, "MissingPopReceipt", "the response carried no x-ms-popreceipt", $"Update message on '{Name}'");
    }

    /// <summary>Reads up to <paramref name="maxMessages"/> (1..32) visible messages without leasing them
    /// (dequeue counts unchanged).</summary>
    public async Task<IReadOnlyList<PeekedMessage>> PeekAsync(int maxMessages = 1, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessages, 32);
        using var message = CreateMessage(RequestMethod.Get, _messagesPath,
            "?numofmessages=" + maxMessages.ToString(CultureInfo.InvariantCulture) + "&peekonly=true");
        using var body = await ResponseBody.SendAsync(_service.Pipeline, message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status != 200) throw StorageErrors.FromResponse(response, body, $"Peek messages on '{Name}'");
        var raw = ReadMessages(body);
        var result = new PeekedMessage[raw.Count];
        for (var i = 0; i < raw.Count; i++)
        {
            var m = raw[i];
            result[i] = new PeekedMessage(m.MessageId, Decode(m.Text), m.DequeueCount, m.InsertedOn ?? default, m.ExpiresOn ?? DateTimeOffset.MaxValue);
        }
        return result;
    }

    private string MessagePath(string messageId) => _messagesPath + "/" + Uri.EscapeDataString(messageId);

    private static long Seconds(TimeSpan value, string name)
    {
        if (value < TimeSpan.Zero || value.TotalSeconds > MaxVisibilitySeconds)
        {
            throw new ArgumentOutOfRangeException(name, "must be between 0 and 7 days.");
        }
        return (long)Math.Ceiling(value.TotalSeconds);
    }

    /// <summary>Encodes the text per options and wraps it in the XML body; refuses over-size messages.</summary>
    internal byte[] BuildBody(string text)
    {
        var b = ScratchBuffer.Acquire();
        b.WriteAscii("<QueueMessage><MessageText>");
        var start = b.Length;
        if (_service.Options.MessageEncoding == QueueMessageEncoding.Base64)
        {
            // base64 of the UTF-8 bytes: what the Functions queue trigger decodes with messageEncoding=base64.
            var utf8Length = Encoding.UTF8.GetByteCount(text);
            var encodedLength = (utf8Length + 2) / 3 * 4;
            if (encodedLength > MaxMessageBytes)
            {
                throw new ArgumentException($"The message is {encodedLength} bytes after base64 encoding; the limit is {MaxMessageBytes} (64 KiB). Keep messages small: ids only.", nameof(text));
            }
            var rented = ArrayPool<byte>.Shared.Rent(utf8Length);
            try
            {
                var n = Encoding.UTF8.GetBytes(text, rented);
                var span = b.GetSpan(encodedLength);
                System.Buffers.Text.Base64.EncodeToUtf8(rented.AsSpan(0, n), span, out _, out var written);
                b.Advance(written);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
        else
        {
            var size = Encoding.UTF8.GetByteCount(text);
            if (size > MaxMessageBytes)
            {
                throw new ArgumentException($"The message is {size} bytes; the limit is {MaxMessageBytes} (64 KiB). Keep messages small: ids only.", nameof(text));
            }
            WriteEscaped(b, text);
        }
        b.WriteAscii("</MessageText></QueueMessage>");
        return b.ToArrayAndRelease();
    }

    private static void WriteEscaped(ScratchBuffer b, string text)
    {
        var run = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            string? entity = c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '\r' => "&#xD;",
                _ => null,
            };
            if (entity is null)
            {
                if (char.IsSurrogate(c))
                {
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
                    throw new ArgumentException("The message text holds an unpaired surrogate; use Base64 encoding or fix the text.", nameof(text));
                }
                if ((c < 0x20 && c is not ('\t' or '\n')) || c is '\uFFFE' or '\uFFFF')
                {
                    throw new ArgumentException($"The message text holds U+{(int)c:X4}, which XML cannot carry; use Base64 encoding.", nameof(text));
                }
                continue;
            }
            b.WriteUtf8(text.AsSpan(run, i - run));
            b.WriteAscii(entity);
            run = i + 1;
        }
        b.WriteUtf8(text.AsSpan(run));
    }

    /// <summary>Base64 → UTF-8 text. A message that is not valid base64 (written by a producer that did not
    /// encode) comes back as its raw text, so a consumer can still fail it into the poison queue.</summary>
    private string Decode(string text)
    {
        if (_service.Options.MessageEncoding != QueueMessageEncoding.Base64 || text.Length == 0) return text;
        var max = text.Length / 4 * 3 + 3;
        var rented = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            return Convert.TryFromBase64String(text, rented, out var n) ? Encoding.UTF8.GetString(rented, 0, n) : text;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private sealed class RawMessage
    {
        public string MessageId = "";
        public string? PopReceipt;
        public string Text = "";
        public long DequeueCount;
        public DateTimeOffset? InsertedOn, ExpiresOn, NextVisibleOn;
    }

    private static List<RawMessage> ReadMessages(ResponseBody body)
    {
        var list = new List<RawMessage>();
        if (body.Length == 0) return list;
        using var reader = XmlReader.Create(new ReadOnlyMemoryStream(body.Memory), ReaderSettings);
        RawMessage? current = null;
        reader.MoveToContent();
        while (!reader.EOF)
        {
            if (reader.NodeType != XmlNodeType.Element)
            {
                if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "QueueMessage" && current is not null)
                {
                    list.Add(current);
                    current = null;
                }
                reader.Read();
                continue;
            }
            switch (reader.LocalName)
            {
                case "QueueMessage":
                    current = new RawMessage();
                    if (reader.IsEmptyElement) { list.Add(current); current = null; }
                    reader.Read();
                    break;
                case "MessageId" when current is not null: current.MessageId = reader.ReadElementContentAsString(); break;
                case "PopReceipt" when current is not null: current.PopReceipt = reader.ReadElementContentAsString(); break;
                case "MessageText" when current is not null: current.Text = reader.ReadElementContentAsString(); break;
                case "DequeueCount" when current is not null:
                    current.DequeueCount = long.Parse(reader.ReadElementContentAsString(), NumberStyles.None, CultureInfo.InvariantCulture);
                    break;
                case "InsertionTime" when current is not null: current.InsertedOn = ParseDate(reader.ReadElementContentAsString()); break;
                case "ExpirationTime" when current is not null: current.ExpiresOn = ParseDate(reader.ReadElementContentAsString()); break;
                case "TimeNextVisible" when current is not null: current.NextVisibleOn = ParseDate(reader.ReadElementContentAsString()); break;
                default: reader.Read(); break;
            }
        }
        return list;
    }

    /// <summary>A read-only stream over pooled memory (no copy).</summary>
    private sealed class ReadOnlyMemoryStream(ReadOnlyMemory<byte> memory) : Stream
    {
        private int _position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => memory.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, memory.Length - _position);
            memory.Span.Slice(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static DateTimeOffset? ParseDate(string s) =>
        DateTimeOffset.TryParseExact(s, "R", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d
        : DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out d) ? d
        : null;

    private HttpMessage CreateMessage(RequestMethod method, string path, string? query) =>
        _service.Endpoint.CreateMessage(_service.Pipeline, method, path, query);
}
