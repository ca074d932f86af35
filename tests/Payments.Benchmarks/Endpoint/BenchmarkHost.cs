using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Payments.Core.Hosting;
using Payments.Core.Security;
using Payments.Core.Storage;
using Payments.LocalHost;
using Payments.StandIns.Azurite;
using Payments.StandIns.Google;

namespace Payments.Benchmarks.Endpoint;

/// <summary>The local host in process on the benchmark's Azurite, with a middleware that reports the
/// storage round trips each call made (count and time spent in them) in response headers, so every
/// call is timed side by side with its own raw storage round trips.</summary>
public sealed class BenchmarkHost : IAsyncDisposable
{
    public const string InternalKey = "benchmark-internal-key";
    private readonly WebApplication _app;
    public HttpClient Http { get; }
    public GoogleStandIn Google { get; }

    private BenchmarkHost(WebApplication app, HttpClient http, GoogleStandIn google) { _app = app; Http = http; Google = google; }

    public static async Task<BenchmarkHost> StartAsync(AzuriteProcess azurite, bool runFinishing, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var google = await GoogleStandIn.StartAsync(new PlainJsonEnvelope());
        var overrides = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            [SettingNames.Storage] = azurite.ConnectionString,
            [SettingNames.AccountIds] = "InvisiCashUSA_USD,SpeedyPaymentsIndia_INR,InvisiCashIN_INR",
            [SettingNames.SecurityMode] = "None",
            [SettingNames.FunctionsEnvironment] = "Development",
            [SettingNames.InternalApiKey] = InternalKey,
            [SettingNames.GoogleBaseUrl] = google.BaseUrl.ToString(),
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) overrides[k] = v;
        var app = LocalHostApp.Create([], overrides,
            builder => builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Warning),
            app => app.Use(async (http, next) =>
            {
                using var scope = StorageMetrics.BeginScope();
                http.Response.OnStarting(() =>
                {
                    http.Response.Headers["x-storage-ops"] = scope.Operations.ToString(CultureInfo.InvariantCulture);
                    http.Response.Headers["x-storage-ms"] = scope.Elapsed.TotalMilliseconds.ToString("0.000", CultureInfo.InvariantCulture);
                    return Task.CompletedTask;
                });
                await next(http);
            }),
            runFinishing);
        await LocalHostApp.PrepareStorageAsync(app, CancellationToken.None);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };
        return new BenchmarkHost(app, http, google);
    }

    public sealed record Answer(int Status, JsonNode? Body, TimeSpan Elapsed, int StorageOps, double StorageMs);

    public async Task<Answer> PostAsync(string path, string json, bool internalKey = false)
    {
        using var content = new StringContent(json);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (internalKey) request.Headers.Add("x-functions-key", InternalKey);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        var ops = response.Headers.TryGetValues("x-storage-ops", out var o) ? int.Parse(o.First(), CultureInfo.InvariantCulture) : -1;
        var ms = response.Headers.TryGetValues("x-storage-ms", out var m) ? double.Parse(m.First(), CultureInfo.InvariantCulture) : double.NaN;
        return new Answer((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), elapsed, ops, ms);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Google.DisposeAsync();
    }
}
