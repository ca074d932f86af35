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
using Payments.StandIns.Gsp;
using Payments.Core.Security.Pgp;

namespace Payments.Benchmarks.Endpoint;

/// <summary>The local host in process on the benchmark's Azurite, with a middleware that reports the
/// storage round trips each call made (count and time spent in them) in response headers, so every
/// call is timed side by side with its own raw storage round trips.</summary>
public sealed class BenchmarkHost : IAsyncDisposable
{
    public const string InternalKey = "benchmark-internal-key";
    private readonly WebApplication _app;
    public HttpClient Http { get; }
    /// <summary>The host's storage round trips (its clients count them).</summary>
    public StorageRoundTrips RoundTrips => _app.Services.GetRequiredService<StorageRoundTrips>();
    public IServiceProvider Services => _app.Services;
    public GoogleStandIn Google { get; }

    /// <summary>Google's side of the message security: seals our requests, opens our answers.</summary>
    public IMessageEnvelope GoogleEnvelope { get; }

    private BenchmarkHost(WebApplication app, HttpClient http, GoogleStandIn google, IMessageEnvelope googleEnvelope)
    {
        _app = app;
        Http = http;
        Google = google;
        GoogleEnvelope = googleEnvelope;
    }

    /// <param name="pgp">true: Security__Mode=Pgp with fresh RSA-3072 keys on both sides</param>
    public static async Task<BenchmarkHost> StartAsync(AzuriteProcess azurite, bool runFinishing, IReadOnlyDictionary<string, string?>? settings = null, bool pgp = false)
    {
        IMessageEnvelope googleEnvelope = new PlainJsonEnvelope();
        var security = new Dictionary<string, string?> { ["Security:Mode"] = "None" };
        if (pgp)
        {
            var ours = KeyTool.GeneratePgp("Integrator <bench@integrator.test>", null, DateTime.UtcNow, TimeSpan.FromDays(365));
            var google = KeyTool.GeneratePgp("Google <bench@google.test>", null, DateTime.UtcNow, TimeSpan.FromDays(365));
            googleEnvelope = new PgpEnvelope(google.Secret, null, ours.Public);
            security = new Dictionary<string, string?>
            {
                ["Security:Mode"] = "Pgp",
                ["Security:Pgp:IntegratorPrivateKeys"] = ours.Secret,
                ["Security:Pgp:GooglePublicKeys"] = google.Public,
            };
        }
        var googleStandIn = await GoogleStandIn.StartAsync(googleEnvelope);
        var overrides = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["PaymentsStorage"] = azurite.ConnectionString,
            ["Payments:AccountIds"] = "InvisiCashUSA_USD,SpeedyPaymentsIndia_INR,InvisiCashIN_INR",
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
            ["Internal:ApiKey"] = InternalKey,
            ["Google:BaseUrl"] = googleStandIn.BaseUrl.ToString(),
            // Without workers (runFinishing: false) the queues only grow: no load shedding, which would
            // otherwise answer 503 (and change the path replays take) once the sample's limit is reached.
            ["Finishing:MaxBacklog"] = "0",
        };
        foreach (var (k, v) in security) overrides[k] = v;
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) overrides[k] = v;
        var app = LocalHostApp.Create([], overrides,
            builder => builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Warning),
            app => app.Use(async (http, next) =>
            {
                using var scope = http.RequestServices.GetRequiredService<StorageRoundTrips>().BeginScope();
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
        return new BenchmarkHost(app, http, googleStandIn, googleEnvelope);
    }

    public sealed record Answer(int Status, JsonNode? Body, TimeSpan Elapsed, int StorageOps, double StorageMs);

    /// <summary>Posts as Google would (sealed per the mode; internal calls are plain JSON) and opens the answer.</summary>
    public async Task<Answer> PostAsync(string path, string json, bool internalKey = false)
    {
        var envelope = internalKey ? new PlainJsonEnvelope() : GoogleEnvelope;
        using var content = GspRequests.Sealed(json, envelope);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (internalKey) request.Headers.Add("x-internal-key", InternalKey);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var response = await Http.SendAsync(request);
        var raw = await response.Content.ReadAsByteArrayAsync();
        var text = raw.Length == 0 ? "" : System.Text.Encoding.UTF8.GetString(envelope.Open(raw));
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
