using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Payments.Core.Hosting;
using Payments.LocalHost;
using Payments.Core.Security;
using Payments.StandIns.Azurite;
using Payments.StandIns.Google;
using Microsoft.Extensions.Logging.Testing;

namespace Payments.Tests.EndToEnd;

/// <summary>The local host, in process, on a free port, on real Azurite, spoken to over HTTP. Each host has tables
/// and queues of its own (a fresh Storage:NamePrefix unless <c>settings</c> give one), so hosts on the shared
/// Azurite neither see each other's rows nor take each other's messages.</summary>
public sealed class LocalHostUnderTest : IAsyncDisposable
{
    public const string InternalKey = "test-internal-key";
    public static readonly string[] Accounts = ["InvisiCashUSA_USD", "SpeedyPaymentsIndia_INR", "InvisiCashIN_INR"];

    private readonly WebApplication _app;
    public HttpClient Http { get; }
    public Uri BaseAddress { get; }
    public FakeLogCollector Logs { get; }
    public IServiceProvider Services => _app.Services;
    public AzuriteProcess Azurite { get; }
    /// <summary>Where the app's notifications go (never the real Google).</summary>
    public GoogleStandIn Google { get; }
    private readonly bool _ownsGoogle;

    private LocalHostUnderTest(WebApplication app, Uri baseAddress, FakeLogCollector logs, AzuriteProcess azurite, GoogleStandIn google, bool ownsGoogle)
    {
        _app = app;
        Google = google;
        _ownsGoogle = ownsGoogle;
        BaseAddress = baseAddress;
        Logs = logs;
        Azurite = azurite;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <param name="configure">last changes to the builder (Kestrel limits, say)</param>
    public static async Task<LocalHostUnderTest> StartAsync(AzuriteProcess? azurite = null, IReadOnlyDictionary<string, string?>? settings = null, GoogleStandIn? google = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        azurite ??= await AzuriteProcess.SharedAsync();
        var ownsGoogle = google is null;
        google ??= await GoogleStandIn.StartAsync(new PlainJsonEnvelope());
        var overrides = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["PaymentsStorage"] = azurite.ConnectionString,
            ["Payments:AccountIds"] = string.Join(",", Accounts),
            ["Security:Mode"] = "None",
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
            ["Internal:ApiKey"] = InternalKey,
            ["Google:BaseUrl"] = google.BaseUrl.ToString(),
            ["Finishing:RetryBaseMilliseconds"] = "50",
            ["Finishing:MaxAttempts"] = "4",
            ["Finishing:RelayGraceSeconds"] = "3",
            [Payments.StandIns.Chaos.LocalRelaySchedule.Setting] = Payments.StandIns.Chaos.LocalRelaySchedule.ForGrace(3),
            // The sample's load shedding would make tests depend on what other tests left on the shared
            // queues; BacklogTests sets its own limit.
            ["Finishing:MaxBacklog"] = "0",
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft"] = "Warning",
        };
        foreach (var (k, v) in Payments.Core.Idempotency.StorageNamesOptions.SettingsFor(Storage.StorageTestContext.NewPrefix())) overrides[k] = v;
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) overrides[k] = v;
        var logs = new FakeLoggerProvider();
        var app = LocalHostApp.Create([], overrides, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(logs);
            configure?.Invoke(builder);
        });
        await LocalHostApp.PrepareStorageAsync(app, CancellationToken.None);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LocalHostUnderTest(app, new Uri(address.Replace("0.0.0.0", "127.0.0.1")), logs.Collector, azurite, google, ownsGoogle);
    }

    public async Task<(int Status, string Body)> PostAsync(string route, string json)
    {
        using var content = new StringContent(json);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        using var response = await Http.PostAsync("/" + route, content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <param name="contentType">sent as it is (malformed ones too); none when null</param>
    public async Task<(int Status, byte[] Body, string? ContentType)> PostBytesAsync(string route, byte[] body, string? contentType)
    {
        using var content = new ByteArrayContent(body);
        if (contentType is not null) content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        using var response = await Http.PostAsync("/" + route, content);
        return ((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync(), response.Content.Headers.ContentType?.ToString());
    }

    public async Task<(int Status, string Body)> InternalAsync(HttpMethod method, string path, string? json = null, string? key = InternalKey)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        if (key is not null) request.Headers.Add("x-internal-key", key);
        using var response = await Http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsGoogle) await Google.DisposeAsync();
    }
}
