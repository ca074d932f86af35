using Microsoft.ApplicationInsights;
using Microsoft.ApplicationInsights.Channel;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.ApplicationInsights.WindowsServer.Channel.Implementation;
using Microsoft.ApplicationInsights.WindowsServer.TelemetryChannel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Core.BackOffice;
using Payments.Core.Hosting;
using Payments.Functions;
using Payments.StandIns.Gsp;
using Microsoft.Extensions.Logging.Testing;
using Payments.Tests.TestSupport;
using Payments.Core.Idempotency;

namespace Payments.Tests.Functions;

/// <summary>What the Worker's container holds beyond the functions: HttpClients that outlive handler
/// rotation, and telemetry only when a connection string is set.</summary>
public sealed class WorkerContainerTests
{
    private static readonly Dictionary<string, string?> CrmCom = new()
    {
        ["PaymentsStorage"] = "UseDevelopmentStorage=true",
        ["BackOffice:Provider"] = "CrmCom",
        ["BackOffice:CrmCom:BaseUrl"] = "https://crm.example.com/",
        ["BackOffice:CrmCom:Username"] = "u",
        ["BackOffice:CrmCom:Password"] = "p",
        ["BackOffice:CrmCom:Organisation"] = "o",
        ["BackOffice:CrmCom:PaymentCancellationType"] = "Payment Cancellation",
        ["BackOffice:CrmCom:RefundType"] = "Refund",
    };

    [Trait("Category", Category.Unit)]
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

    /// <summary>In Azure the Functions host lets any host key (the default key, the master key) through to a
    /// Function-level route; the app's own key must still be missing, so that key alone opens nothing.</summary>
    [Trait("Category", Category.Storage)]
    [Fact]
    public async Task A_functions_host_key_alone_opens_no_internal_route_and_the_app_key_opens_each()
    {
        const string appKey = "worker-internal-key-0123456789";
        var azurite = await Payments.StandIns.Azurite.AzuriteProcess.SharedAsync();
        using var app = WorkerAppTests.BuildWorkerApp(new Dictionary<string, string?>(Payments.Core.Idempotency.StorageNamesOptions.SettingsFor(Storage.StorageTestContext.NewPrefix()))
        {
            ["PaymentsStorage"] = azurite.ConnectionString,
            ["Internal:ApiKey"] = appKey,
        });
        await app.Services.GetRequiredService<Payments.Core.Idempotency.TransactionStore>().EnsureCreatedAsync(CancellationToken.None);
        var keyed = Payments.LocalHost.Functions.FunctionCatalog.Discover()
            .Where(f => f.Trigger is Payments.LocalHost.Functions.HttpFunctionTrigger { AuthorizationLevel: not Microsoft.Azure.Functions.Worker.AuthorizationLevel.Anonymous })
            .ToList();
        Assert.Equal(8, keyed.Count); // the payment report, the operations (3), the remittance statements (4)
        foreach (var function in keyed)
        {
            var http = (Payments.LocalHost.Functions.HttpFunctionTrigger)function.Trigger;
            foreach (var method in http.Methods)
            {
                // What passes the Functions host: a host key in the header and the query.
                var hostKeyOnly = await InvokeAsync(app, function, method, ("x-functions-key", appKey));
                Assert.True(hostKeyOnly is 401 or 403, $"{function} {method} with a host key only: {hostKeyOnly}");
                var wrong = await InvokeAsync(app, function, method, ("x-functions-key", appKey), ("x-internal-key", appKey + "x"));
                Assert.True(wrong is 401 or 403, $"{function} {method} with a wrong app key: {wrong}");
                var opened = await InvokeAsync(app, function, method, ("x-functions-key", appKey), ("x-internal-key", appKey));
                Assert.True(opened is not (401 or 403) and < 500, $"{function} {method} with the app key: {opened}");
            }
        }
    }

    /// <summary>Invokes an HTTP function as the Worker does, with made-up route values and a JSON body of a payment report.</summary>
    private static async Task<int> InvokeAsync(Microsoft.Extensions.Hosting.IHost app, Payments.LocalHost.Functions.AppFunction function, string method, params (string Name, string Value)[] headers)
    {
        using var scope = app.Services.CreateScope();
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Method = method.ToUpperInvariant();
        context.Request.QueryString = new Microsoft.AspNetCore.Http.QueryString("?code=" + Uri.EscapeDataString(headers[0].Value));
        foreach (var (name, value) in headers) context.Request.Headers[name] = value;
        var body = System.Text.Encoding.UTF8.GetBytes("""{"paymentIntegratorAccountId":"InvisiCashUSA_USD","paymentIntegratorTransactionId":"T1","paidAtEpochMillis":"1000"}""");
        context.Request.Body = new MemoryStream(body);
        context.Request.ContentLength = body.Length;
        context.Request.ContentType = "application/json";
        foreach (var parameter in Payments.LocalHost.Functions.FunctionCatalog.RouteParameters(((Payments.LocalHost.Functions.HttpFunctionTrigger)function.Trigger).Route))
            context.Request.RouteValues[parameter] = parameter == "paymentIntegratorAccountId" ? "InvisiCashUSA_USD" : "R1234567890";
        context.Response.Body = new MemoryStream();
        var result = await function.InvokeHttpAsync(context.Request, CancellationToken.None);
        await result.ExecuteResultAsync(new Microsoft.AspNetCore.Mvc.ActionContext(context, new Microsoft.AspNetCore.Routing.RouteData(), new Microsoft.AspNetCore.Mvc.Abstractions.ActionDescriptor()));
        return context.Response.StatusCode;
    }

    [Trait("Category", Category.Unit)]
    [Fact]
    public void No_telemetry_is_registered_without_a_connection_string()
    {
        using var app = WorkerAppTests.BuildWorkerApp(new Dictionary<string, string?> { ["PaymentsStorage"] = "UseDevelopmentStorage=true" });
        Assert.Null(app.Services.GetService<TelemetryClient>());
    }

    [Trait("Category", Category.Unit)]
    [Fact]
    public void With_a_connection_string_errors_bypass_sampling()
    {
        using var app = WorkerAppTests.BuildWorkerApp(new Dictionary<string, string?>
        {
            ["PaymentsStorage"] = "UseDevelopmentStorage=true",
            ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/",
        });
        var configuration = app.Services.GetRequiredService<TelemetryConfiguration>();
        Assert.Contains(configuration.DefaultTelemetrySink.TelemetryProcessors, p => p is Telemetry.ErrorsAlwaysKept);
        Assert.DoesNotContain(configuration.DefaultTelemetrySink.TelemetryProcessors, p => p is AdaptiveSamplingTelemetryProcessor);
    }

    [Trait("Category", Category.Unit)]
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

/// <summary>The structured values Application Insights turns into custom dimensions: the call's requestId and
/// PIAID (a logging scope over everything after validation) and the errorIdentifier of a refusal.</summary>
[Trait("Category", Category.Unit)]
public sealed class TelemetryDimensionsTests
{
    [Fact]
    public async Task A_refused_call_logs_its_requestId_PIAID_and_error_identifier_as_values()
    {
        var logs = new FakeLoggerProvider();
        using var app = WorkerAppTests.BuildWorkerApp(new Dictionary<string, string?> { ["PaymentsStorage"] = "UseDevelopmentStorage=true" },
            builder => builder.Logging.AddProvider(logs));
        var processor = app.Services.GetRequiredService<Payments.Core.Protocol.ProtocolProcessor>();
        var request = GspRequests.CreateMandateV1("M1");
        request["mandateName"] = new string('x', 5000); // refused by the method's own rules, after the header (and PIAID) passed
        var requestId = request["requestHeader"]!["requestId"]!.GetValue<string>();
        var response = await processor.ProcessAsync(Payments.Core.Protocol.ProtocolMethods.CreateMandateV1,
            System.Text.Encoding.UTF8.GetBytes(request.ToJsonString()), CancellationToken.None);
        Assert.NotEqual(200, response.Status);
        var line = Assert.Single(logs.Collector.GetSnapshot(), e => e.Values().TryGetValue("ErrorIdentifier", out var id) && Equals(id, response.ErrorIdentifier));
        Assert.Equal(requestId, line.Values()["requestId"]);
        Assert.Equal(GspRequests.InrWallet, line.Values()["paymentIntegratorAccountId"]);
    }
}
