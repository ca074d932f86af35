using System.Net.Http.Headers;
using System.Text.Json;
using Payments.Core.Security;

namespace Payments.Core.Notifications;

/// <summary>
/// One call to a Google-hosted method (docs/protocol.md §1, §7): seals the JSON body with the mode's
/// <see cref="IMessageEnvelope"/>, posts it under <c>Google:Timeout</c>, reads at most <see cref="MaxAnswerBytes"/>
/// of the answer and opens it. Shared by the notification and statement clients; never logs a body.
/// </summary>
internal static class GoogleExchange
{
    /// <summary>Answers are read up to this many bytes. The envelopes open at most 1 MiB of JSON, which sealed and
    /// base64url-encoded stays under 2 MiB; 4 MiB leaves room and still bounds what a broken peer can make us buffer.</summary>
    public const int MaxAnswerBytes = 4 << 20;

    /// <summary><c>{BaseUrl}/{route}/{PIAID}</c></summary>
    public static Uri Url(GoogleNotificationOptions options, string route, string paymentIntegratorAccountId)
        => new((options.BaseUrl ?? throw new InvalidOperationException("Google__BaseUrl is not set.")).AbsoluteUri.TrimEnd('/') + "/" + route + "/" + Uri.EscapeDataString(paymentIntegratorAccountId));

    public static async Task<GoogleAnswer> PostAsync(HttpClient http, IMessageEnvelope envelope, GoogleNotificationOptions options, TimeProvider time,
        Uri url, byte[] json, CancellationToken cancellationToken)
    {
        byte[] sealedBody;
        try
        {
            sealedBody = envelope.Seal(json);
        }
        catch (Exception ex) when (ex is EnvelopeException or InvalidOperationException or ArgumentException)
        {
            return new(GoogleCallEnd.NotSealed, null, null, "the body could not be sealed (" + ex.GetType().Name + ")");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(sealedBody) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(envelope.ContentType);
        using var timeout = new CancellationTokenSource(options.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        int status;
        byte[]? body;
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            status = (int)response.StatusCode;
            body = await ReadBoundedAsync(response.Content, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            return new(GoogleCallEnd.TimedOut, null, null, $"timed out after {options.Timeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException ex)
        {
            return new(GoogleCallEnd.TransportError, ex.StatusCode is { } s ? (int)s : null, null, "transport error: " + ex.HttpRequestError);
        }

        if (body is null) return new(GoogleCallEnd.Answered, status, null, $"body over {MaxAnswerBytes} bytes", TooLarge: true);
        if (body.Length == 0) return new(GoogleCallEnd.Answered, status, null, "empty body");
        try
        {
            return new(GoogleCallEnd.Answered, status, envelope.Open(body), null);
        }
        catch (EnvelopeException ex)
        {
            return new(GoogleCallEnd.Answered, status, null, "body could not be opened (" + ex.Failure + ")");
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            return new(GoogleCallEnd.Answered, status, null, "body could not be opened (" + ex.GetType().Name + ")");
        }
    }

    /// <summary>The body, or null when it is longer than <see cref="MaxAnswerBytes"/> (reading stops there).</summary>
    private static async Task<byte[]?> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > MaxAnswerBytes) return null;
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream((int)Math.Min(content.Headers.ContentLength ?? 4096, MaxAnswerBytes));
        var chunk = new byte[16 << 10];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxAnswerBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>The ErrorResponse code of an answer: v1 <c>errorResponseCode</c>, or the member of v2 <c>errorResponseResult</c>.</summary>
    public static bool TryReadError(JsonElement root, out string code, out string? description)
    {
        code = "";
        description = root.TryGetProperty("errorDescription", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        if (root.TryGetProperty("errorResponseCode", out var v1) && v1.ValueKind == JsonValueKind.String)
        {
            code = v1.GetString() ?? "";
            return true;
        }
        if (root.TryGetProperty("errorResponseResult", out var v2) && v2.ValueKind == JsonValueKind.Object)
        {
            code = v2.EnumerateObject().Select(p => p.Name).FirstOrDefault() ?? "errorResponseResult";
            return true;
        }
        return false;
    }
}
