using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Xml;
using Azure;
using Azure.Core;

namespace Payments.Core.Storage;

/// <summary>A per-thread scratch buffer and JSON writer, reused for every request body built on that
/// thread (building is synchronous; the finished body is copied out once, exactly sized).</summary>
internal sealed class ScratchBuffer : IBufferWriter<byte>
{
    [ThreadStatic] private static ScratchBuffer? _current;
    private const int MaxRetained = 1 << 20;
    private byte[] _buffer = new byte[4096];
    private int _written;
    private Utf8JsonWriter? _json;

    /// <summary>The calling thread's scratch buffer, emptied.</summary>
    internal static ScratchBuffer Acquire()
    {
        var b = _current ??= new ScratchBuffer();
        b._written = 0;
        return b;
    }

    internal int Length => _written;
    internal ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    internal Utf8JsonWriter Json()
    {
        if (_json is null) _json = new Utf8JsonWriter(this, new JsonWriterOptions { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        else _json.Reset(this);
        return _json;
    }

    internal byte[] ToArrayAndRelease()
    {
        var result = _buffer.AsSpan(0, _written).ToArray();
        _written = 0;
        if (_buffer.Length > MaxRetained) _buffer = new byte[4096];
        return result;
    }

    /// <summary>Drops what was written (keeps no oversized buffer).</summary>
    internal void Release()
    {
        _written = 0;
        if (_buffer.Length > MaxRetained) _buffer = new byte[4096];
    }

    internal void WriteAscii(string text)
    {
        var span = GetSpan(text.Length);
        var n = Encoding.ASCII.GetBytes(text, span);
        Advance(n);
    }

    internal void WriteUtf8(ReadOnlySpan<char> text)
    {
        var span = GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        Advance(Encoding.UTF8.GetBytes(text, span));
    }

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    private void Ensure(int sizeHint)
    {
        if (sizeHint < 1) sizeHint = 256;
        if (_buffer.Length - _written >= sizeHint) return;
        var size = Math.Max(_buffer.Length * 2, _written + sizeHint);
        Array.Resize(ref _buffer, size);
    }
}

/// <summary>A response body read into a pooled buffer (responses are not buffered by the pipeline:
/// we read them once, straight from the connection, and give the buffer back when parsed).</summary>
internal sealed class ResponseBody : IDisposable
{
    private const int MaxPooled = 1 << 20;
    private byte[]? _buffer;

    private ResponseBody(byte[]? buffer, int length) { _buffer = buffer; Length = length; }

    internal static readonly ResponseBody Empty = new(null, 0);

    public int Length { get; }
    public ReadOnlySpan<byte> Span => _buffer is null ? default : _buffer.AsSpan(0, Length);
    public ReadOnlyMemory<byte> Memory => _buffer is null ? default : _buffer.AsMemory(0, Length);

    /// <summary>Sends the message with an unbuffered response and reads the whole body.</summary>
    internal static async ValueTask<ResponseBody> SendAsync(Azure.Core.Pipeline.HttpPipeline pipeline, HttpMessage message, CancellationToken cancellationToken)
    {
        message.BufferResponse = false;
        await pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        var stream = response.ContentStream;
        if (stream is null) return Empty;
        var expected = response.Headers.ContentLength;
        if (expected == 0) return Empty;
        var buffer = ArrayPool<byte>.Shared.Rent(expected is > 0 and <= MaxPooled ? expected.Value + 1 : 4096);
        var total = 0;
        try
        {
            while (true)
            {
                if (total == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, total).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var n = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
                if (n == 0) break;
                total += n;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
        return new ResponseBody(buffer, total);
    }

    public override string ToString() => Encoding.UTF8.GetString(Span);

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null && buffer.Length <= MaxPooled) ArrayPool<byte>.Shared.Return(buffer);
    }
}

internal static class StorageErrors
{
    /// <summary>Builds the exception for a failed response: x-ms-error-code header first, then the body
    /// (<c>odata.error</c> JSON for tables, <c>&lt;Error&gt;</c> XML for queues).</summary>
    internal static StorageRequestFailedException FromResponse(Response response, ResponseBody body, string operation, int? failedIndex = null)
    {
        response.Headers.TryGetValue("x-ms-error-code", out var code);
        string? message = null;
        try
        {
            var span = body.Span;
            var first = FirstNonSpace(span);
            if (first == (byte)'{') (code, message) = ParseJsonError(span, code);
            else if (first == (byte)'<') (code, message) = ParseXmlError(body.Memory, code);
        }
        catch (JsonException) { }
        catch (XmlException) { }
        catch (InvalidOperationException) { }
        return Create(response.Status, code, message, operation, failedIndex);
    }

    internal static StorageRequestFailedException Create(int status, string? code, string? message, string operation, int? failedIndex = null)
    {
        var text = $"{operation} failed: {status} {code ?? "(no error code)"}";
        if (!string.IsNullOrEmpty(message)) text += ": " + message.ReplaceLineEndings(" ").Trim();
        if (failedIndex is not null) text += $" (operation index {failedIndex})";
        return new StorageRequestFailedException(status, code, text, failedIndex);
    }

    private static byte FirstNonSpace(ReadOnlySpan<byte> span)
    {
        foreach (var b in span)
        {
            if (b is not ((byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t' or 0xEF or 0xBB or 0xBF)) return b;
        }
        return 0;
    }

    internal static (string? Code, string? Message) ParseJsonError(ReadOnlySpan<byte> json, string? code)
    {
        string? message = null;
        var reader = new Utf8JsonReader(json);
        using var doc = JsonDocument.ParseValue(ref reader);
        if (doc.RootElement.ValueKind == JsonValueKind.Object &&
            (doc.RootElement.TryGetProperty("odata.error", out var err) || doc.RootElement.TryGetProperty("error", out err)))
        {
            if (err.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String && string.IsNullOrEmpty(code)) code = c.GetString();
            if (err.TryGetProperty("message", out var m))
            {
                message = m.ValueKind switch
                {
                    JsonValueKind.String => m.GetString(),
                    JsonValueKind.Object when m.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String => v.GetString(),
                    _ => null,
                };
            }
        }
        return (code, message);
    }

    private static (string? Code, string? Message) ParseXmlError(ReadOnlyMemory<byte> content, string? code)
    {
        string? message = null;
        using var reader = XmlReader.Create(new MemoryStream(content.ToArray(), writable: false), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreWhitespace = true });
        reader.MoveToContent();
        while (!reader.EOF)
        {
            if (reader.NodeType == XmlNodeType.Element && reader.Name == "Code")
            {
                var c = reader.ReadElementContentAsString();
                if (string.IsNullOrEmpty(code)) code = c;
            }
            else if (reader.NodeType == XmlNodeType.Element && reader.Name == "Message")
            {
                message = reader.ReadElementContentAsString();
            }
            else
            {
                reader.Read();
            }
        }
        return (code, message);
    }
}
