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
        if (!RequestContentType.IsAccepted(request.ContentType, envelope.ContentType))
        {
            // Not a message of the agreed scheme, refused before it is read: in Pgp and Jwe modes as a body
            // that does not open (the bare 400, docs/protocol.md §7), in None mode as a request that is not JSON.
            LogWrongContentType(logger, method.Route, LogText.Escape(request.ContentType!, 100));
            if (envelope is not PlainJsonEnvelope) return new HttpBodyResult(400);
            var refused = processor.Refuse(method, new ProtocolError(ErrorCode.InvalidDecryptedRequest,
                $"Content-Type must be {envelope.ContentType} (charset optional)"));
            return new HttpBodyResult(refused.Status, refused.Body, envelope.ContentType);
        }
        var (body, failed) = await ReadBodyAsync(request, logger, method.Route, cancellationToken);
        if (body is null) return new HttpBodyResult(failed);

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

    /// <summary>The body, or null and the status to answer: 413 when it exceeds <see cref="MaxBodyBytes"/>
    /// (checked on the declared length first, then while reading, so a lying client cannot make us buffer
    /// more); the client's own failure (408 when it stopped sending, 400 for a malformed body or a hang-up),
    /// logged as the client's fault, not as ours.</summary>
    public static async Task<(byte[]? Body, int Status)> ReadBodyAsync(HttpRequest request, ILogger logger, string route, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            LogTooLarge(logger, route);
            return (null, 413);
        }
        var buffer = new ArrayBufferWriter<byte>((int)Math.Clamp(request.ContentLength ?? 4096, 256, MaxBodyBytes + 1));
        try
        {
            while (true)
            {
                var memory = buffer.GetMemory(4096);
                var read = await request.Body.ReadAsync(memory, cancellationToken);
                if (read == 0) break;
                buffer.Advance(read);
                if (buffer.WrittenCount > MaxBodyBytes)
                {
                    LogTooLarge(logger, route);
                    return (null, 413);
                }
            }
        }
        catch (BadHttpRequestException e)
        {
            LogClientFailed(logger, route, e.StatusCode, LogText.Escape(e.Message, 200));
            return (null, e.StatusCode);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException && request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            LogClientFailed(logger, route, 400, "the client hung up while sending the body");
            return (null, 400);
        }
        catch (IOException e)
        {
            // Kestrel reports some malformed framings (a chunk size past 64 bits) as a bare IOException.
            LogClientFailed(logger, route, 400, LogText.Escape(e.Message, 200));
            return (null, 400);
        }
        return (buffer.WrittenSpan.ToArray(), 200);
    }

    [LoggerMessage(20, LogLevel.Warning, "{Route}: request body over 1 MiB refused (413)")]
    internal static partial void LogTooLarge(ILogger logger, string route);

    [LoggerMessage(22, LogLevel.Information, "{Route}: the client did not send its body ({Status}: {Reason})")]
    private static partial void LogClientFailed(ILogger logger, string route, int status, string reason);

    [LoggerMessage(23, LogLevel.Warning, "{Route}: Content-Type {ContentType} refused (400)")]
    private static partial void LogWrongContentType(ILogger logger, string route, string contentType);

    [LoggerMessage(21, LogLevel.Warning, "{Route}: security envelope refused ({Failure}), status {Status}")]
    private static partial void LogEnvelopeRefused(ILogger logger, string route, int status, EnvelopeFailure failure);
}
