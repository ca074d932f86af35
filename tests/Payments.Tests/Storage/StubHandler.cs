using System.Net;
using Azure.Core.Pipeline;

namespace Payments.Tests.Storage;

/// <summary>Captures every request and answers with a canned response (no network).</summary>
internal sealed class StubHandler(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
{
    public List<(HttpRequestMessage Request, byte[] Body)> Requests { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        lock (Requests) Requests.Add((request, body));
        return answer(request);
    }

    public HttpPipelineTransport Transport() => new HttpClientTransport(new HttpClient(this));

    public static HttpResponseMessage Status(HttpStatusCode status, string? body = null, string contentType = "application/json")
    {
        var response = new HttpResponseMessage(status);
        if (body is not null) response.Content = new StringContent(body, System.Text.Encoding.UTF8, contentType);
        return response;
    }
}
