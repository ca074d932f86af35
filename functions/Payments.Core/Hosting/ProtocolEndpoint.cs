using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Payments.Core.Protocol;
using Payments.Core.Security;

namespace Payments.Core.Hosting;

/// <summary>Serves every protocol route: read (≤ 1 MiB) → open the security envelope → process →
/// seal the response. Both hosts call this, one line per route.</summary>
public sealed partial class ProtocolEndpoint(ProtocolProcessor processor, IMessageEnvelope envelope, ILogger<ProtocolEndpoint> logger)
{
    /// <summary>Bodies above this are refused before any parsing or decryption.</summary>
    public const int MaxBodyBytes = 1 << 20;

    public async Task<IActionResult> HandleAsync(HttpRequest request, ProtocolMethod method, CancellationToken cancellationToken)
    {
        if (!HttpMethods.IsPost(request.Method)) return new HttpBodyResult(405);
        var body = await ReadBodyAsync(request, cancellationToken);
        if (body is null)
        {
            LogTooLarge(logger, method.Route);
            return new HttpBodyResult(413);
        }

        byte[] json;
        try
        {
            json = envelope.Open(body);
        }
        catch (EnvelopeException e)
        {
            // The request cannot be attributed to Google: the bare status, no body (docs/protocol.md §7).
            var status = e.Failure == EnvelopeFailure.InvalidSignature ? 401 : 400;
            LogEnvelopeRefused(logger, method.Route, status, e.Failure);
            return new HttpBodyResult(status);
        }

        var response = await processor.ProcessAsync(method, json, cancellationToken);
        return response.Body is null
            ? new HttpBodyResult(response.Status)
            : new HttpBodyResult(response.Status, envelope.Seal(response.Body), envelope.ContentType);
    }

    /// <summary>The body, or null when it exceeds <see cref="MaxBodyBytes"/> (checked on the
    /// declared length first, then while reading, so a lying client cannot make us buffer more).</summary>
    public static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes) return null;
        var buffer = new ArrayBufferWriter<byte>((int)Math.Clamp(request.ContentLength ?? 4096, 256, MaxBodyBytes + 1));
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var read = await request.Body.ReadAsync(memory, cancellationToken);
            if (read == 0) break;
            buffer.Advance(read);
            if (buffer.WrittenCount > MaxBodyBytes) return null;
        }
        return buffer.WrittenSpan.ToArray();
    }

    [LoggerMessage(20, LogLevel.Warning, "{Route}: request body over 1 MiB refused (413)")]
    private static partial void LogTooLarge(ILogger logger, string route);

    [LoggerMessage(21, LogLevel.Warning, "{Route}: security envelope refused ({Failure}), status {Status}")]
    private static partial void LogEnvelopeRefused(ILogger logger, string route, int status, EnvelopeFailure failure);
}
