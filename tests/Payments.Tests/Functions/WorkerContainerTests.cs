using Microsoft.ApplicationInsights;
using Microsoft.ApplicationInsights.Channel;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.ApplicationInsights.WindowsServer.Channel.Implementation;
using Microsoft.ApplicationInsights.WindowsServer.TelemetryChannel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using Payments.Core.BackOffice;
using Payments.Core.Hosting;
using Payments.Functions;

namespace Payments.Tests.Functions;

/// <summary>What the Worker's container holds beyond the functions: HttpClients that outlive handler
/// rotation, and telemetry only when a connection string is set.</summary>
public sealed class WorkerContainerTests
{
    private static readonly Dictionary<string, string?> CrmCom = new()
    {
        [SettingNames.Storage] = "UseDevelopmentStorage=true",
        [SettingNames.BackOfficeProvider] = "CrmCom",
        [SettingNames.CrmComBaseUrl] = "https://crm.example.com/",
        [SettingNames.CrmComUsername] = "u",
        [SettingNames.CrmComPassword] = "p",
        [SettingNames.CrmComOrganisation] = "o",
        [SettingNames.CrmComPaymentCancellationType] = "Payment Cancellation",
        [SettingNames.CrmComRefundType] = "Refund",
    };

    [Theory]
    [InlineData("GoogleNotifications")]
    [InlineData(BackOfficeRegistration.CrmComHttpClientName)]
    public void Clients_the_workers_hold_recycle_their_connections_so_DNS_changes_are_seen(string client)
    {
        using var app = WorkerAppTests.BuildWorkerApp(CrmCom);
        // The workers are singletons: they keep the handler they got first, so the factory must not pretend to rotate it...
        Assert.Equal(Timeout.InfiniteTimeSpan, app.Services.GetRequiredService<IOptionsMonitor<HttpClientFactoryOptions>>().Get(client).HandlerLifetime);
        // ...and that handler closes its connections after a bounded time, so the next one resolves the name again.
        HttpMessageHandler handler = app.Services.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(client);
        while (handler is DelegatingHandler delegating) handler = delegating.InnerHandler!;
        var primary = Assert.IsType<SocketsHttpHandler>(handler);
        Assert.True(primary.PooledConnectionLifetime <= TimeSpan.FromMinutes(5), $"{client}: connections live {primary.PooledConnectionLifetime}");
    }

    [Fact]
    public void No_telemetry_is_registered_without_a_connection_string()
    {
        using var app = WorkerAppTests.BuildWorkerApp(new Dictionary<string, string?> { [SettingNames.Storage] = "UseDevelopmentStorage=true" });
        Assert.Null(app.Services.GetService<TelemetryClient>());
    }

    [Fact]
    public void With_a_connection_string_errors_bypass_sampling()
    {
        using var app = WorkerAppTests.BuildWorkerApp(new Dictionary<string, string?>
        {
            [SettingNames.Storage] = "UseDevelopmentStorage=true",
            [SettingNames.ApplicationInsightsConnectionString] = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/",
        });
        var configuration = app.Services.GetRequiredService<TelemetryConfiguration>();
        Assert.Contains(configuration.DefaultTelemetrySink.TelemetryProcessors, p => p is Telemetry.ErrorsAlwaysKept);
        Assert.DoesNotContain(configuration.DefaultTelemetrySink.TelemetryProcessors, p => p is AdaptiveSamplingTelemetryProcessor);
    }

    [Fact]
    public void Every_error_passes_the_sampler_however_busy_and_ordinary_items_are_sampled()
    {
        var sink = new Collect();
        // As the adaptive sampler ends up under load: keeping one item in a hundred.
        var processor = new Telemetry.ErrorsAlwaysKept(sink, new SamplingPercentageEstimatorSettings { InitialSamplingPercentage = 1, MinSamplingPercentage = 1, MaxSamplingPercentage = 1 });
        var errors = new ITelemetry[]
        {
            new ExceptionTelemetry(new InvalidOperationException("x")),
            new TraceTelemetry("w", SeverityLevel.Warning),
            new TraceTelemetry("e", SeverityLevel.Error),
            new DependencyTelemetry { Success = false, Name = "storage" },
            new RequestTelemetry { Success = false, Name = "r" },
        };
        for (var i = 0; i < 20_000; i++) processor.Process(new TraceTelemetry("ordinary " + i, SeverityLevel.Information) { Context = { Operation = { Id = Guid.NewGuid().ToString("N") } } });
        foreach (var error in errors) processor.Process(error);
        Assert.All(errors, e => Assert.Contains(e, sink.Items));
        Assert.True(sink.Items.Count < 20_000 + errors.Length, "nothing ordinary was sampled out");
    }

    private sealed class Collect : ITelemetryProcessor
    {
        public List<ITelemetry> Items { get; } = [];
        public void Process(ITelemetry item) => Items.Add(item);
    }
}
