using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Payments.Tests.Conformance;

/// <summary>
/// A plain-JSON HTTP proxy in front of a host that breaks one rule on purpose, without touching the app: the
/// second 200 answer for a requestId (a replay) comes back with one member added, so it is no longer the first
/// answer (docs/protocol.md §5). Everything else passes through unchanged.
/// </summary>
public sealed class ReplayAlteringProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly ConcurrentDictionary<string, byte> _answered = new();

    private ReplayAlteringProxy(WebApplication app, HttpClient upstream)
    {
        _app = app;
        _upstream = upstream;
    }

    public Uri BaseAddress { get; private set; } = null!;
    public int AlteredAnswers;

    public static async Task<ReplayAlteringProxy> StartAsync(Uri target)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var proxy = new ReplayAlteringProxy(app, new HttpClient { BaseAddress = target });
        app.Run(proxy.ForwardAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        proxy.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return proxy;
    }

    private async Task ForwardAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), context.Request.Path.Value!.TrimStart('/') + context.Request.QueryString)
        {
            Content = new ByteArrayContent(buffer.ToArray()),
        };
        if (context.Request.ContentType is { } type) request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
        foreach (var (name, values) in context.Request.Headers)
            if (name.StartsWith("x-", StringComparison.OrdinalIgnoreCase)) request.Headers.TryAddWithoutValidation(name, values.ToArray());
        using var response = await _upstream.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        if ((int)response.StatusCode == 200 && RequestIdOf(buffer.ToArray()) is { } requestId && !_answered.TryAdd(requestId, 0))
        {
            var json = JsonNode.Parse(body)!.AsObject();
            json["replayedBy"] = "a proxy that breaks the replay rule";
            body = Encoding.UTF8.GetBytes(json.ToJsonString());
            Interlocked.Increment(ref AlteredAnswers);
        }
        context.Response.StatusCode = (int)response.StatusCode;
        if (response.Content.Headers.ContentType is { } contentType) context.Response.ContentType = contentType.ToString();
        await context.Response.Body.WriteAsync(body);
    }

    private static string? RequestIdOf(byte[] body)
    {
        try { return JsonNode.Parse(body)?["requestHeader"]?["requestId"]?.GetValue<string>(); }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException) { return null; }
    }

    public async ValueTask DisposeAsync()
    {
        _upstream.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
