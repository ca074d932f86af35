using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration.Memory;
using Payments.Core.Hosting;
using Payments.Core.Protocol;
using Payments.Core.Storage;
using Payments.Core.Transactions;
using Payments.LocalHost.Finishing;
using Payments.LocalHost.Queues;

namespace Payments.LocalHost;

/// <summary>
/// The Functions app self-hosted on Kestrel: the same routes (HostedRoutes.All), the same service
/// registration, the function-key check the Functions host does for internal routes, and the queue
/// pumps. What the local run and the end-to-end tests use.
/// </summary>
public static class LocalHostApp
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    /// <param name="overrides">settings that win over every other source (tests)</param>
    /// <param name="configure">last changes to the builder (tests: log capture, a fake clock)</param>
    /// <param name="configureApp">middleware to add before the routes (benchmarks: timing)</param>
    /// <param name="runFinishing">false: no queue pumps and no relay (benchmarks of the protocol calls alone)</param>
    public static WebApplication Create(string[] args, IReadOnlyDictionary<string, string?>? overrides = null,
        Action<WebApplicationBuilder>? configure = null, Action<WebApplication>? configureApp = null, bool runFinishing = true)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (LocalSettings.FindFile() is { } settingsFile)
            builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = LocalSettings.Read(settingsFile) });
        if (overrides is not null) builder.Configuration.AddInMemoryCollection(overrides);
        // The port `func start` uses, unless --urls (or ASPNETCORE_URLS) says otherwise.
        if (string.IsNullOrEmpty(builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey)))
            builder.WebHost.UseUrls(DefaultUrl);
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        builder.Logging.RedactSecrets();

        // The queue settings the Functions host reads from host.json; our producers write the same encoding.
        var queues = HostJsonQueueOptions.Load();
        builder.Services.AddSingleton(queues);
        builder.Services.AddSingleton(new StorageClientOptions { MessageEncoding = queues.MessageEncoding });
        builder.Services.AddPayments(builder.Configuration);
        if (runFinishing) builder.Services.AddLocalFinishing();
        configure?.Invoke(builder);
        var app = builder.Build();
        configureApp?.Invoke(app);
        MapRoutes(app, builder.Configuration[SettingNames.InternalApiKey]);
        return app;
    }

    /// <summary>Creates the tables and queues, waiting for storage to come up (Azurite may still be starting).</summary>
    public static async Task PrepareStorageAsync(WebApplication app, CancellationToken cancellationToken)
    {
        var store = app.Services.GetRequiredService<TransactionStore>();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.EnsureCreatedAsync(cancellationToken);
                return;
            }
            catch (Exception e) when (attempt < 30 && e is not OperationCanceledException)
            {
                app.Logger.LogWarning("storage not ready ({Error}); retrying", e.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    private static void MapRoutes(WebApplication app, string? internalApiKey)
    {
        var protocol = ProtocolMethods.All.ToDictionary(HostedRoutes.FunctionNameOf);
        foreach (var route in HostedRoutes.All)
        {
            RequestDelegate handler = protocol.TryGetValue(route.FunctionName, out var method)
                ? http => Execute(http, app.Services.GetRequiredService<ProtocolEndpoint>().HandleAsync(http.Request, method, http.RequestAborted))
                : InternalHandler(app.Services, route.FunctionName);
            if (route.RequiresFunctionKey) handler = RequireKey(handler, internalApiKey);
            app.MapMethods("/" + route.Route, [route.HttpMethod.ToUpperInvariant()], handler).WithName(route.FunctionName);
        }
    }

    private static RequestDelegate InternalHandler(IServiceProvider services, string functionName)
    {
        InternalEndpoint Endpoint() => services.GetRequiredService<InternalEndpoint>();
        static string Value(HttpContext http, string name) => http.Request.RouteValues[name]?.ToString() ?? "";
        return functionName switch
        {
            "ReportPayment" => http => Execute(http, Endpoint().ReportPaymentAsync(http.Request, Value(http, "referenceNumber"), http.RequestAborted)),
            "GetOperation" => http => Execute(http, Endpoint().GetOperationAsync(http.Request, Value(http, "paymentIntegratorAccountId"), Value(http, "requestId"), http.RequestAborted)),
            "RequeueOperation" => http => Execute(http, Endpoint().RequeueOperationAsync(http.Request, Value(http, "paymentIntegratorAccountId"), Value(http, "requestId"), http.RequestAborted)),
            "NeedsAttention" => http => Execute(http, Endpoint().NeedsAttentionAsync(http.Request, http.RequestAborted)),
            "Health" => http => Execute(http, Endpoint().HealthAsync(http.Request, http.RequestAborted)),
            _ => throw new InvalidOperationException("no local handler for route " + functionName),
        };
    }

    /// <summary>What the Functions host does for AuthorizationLevel.Function: the key in the
    /// <c>x-functions-key</c> header or the <c>code</c> query parameter, else 401.</summary>
    private static RequestDelegate RequireKey(RequestDelegate next, string? key) => http =>
    {
        var given = http.Request.Headers["x-functions-key"].ToString();
        if (given.Length == 0) given = http.Request.Query["code"].ToString();
        if (string.IsNullOrEmpty(key) || !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(given), System.Text.Encoding.UTF8.GetBytes(key)))
        {
            http.Response.StatusCode = 401;
            return Task.CompletedTask;
        }
        return next(http);
    };

    private static async Task Execute(HttpContext http, Task<IActionResult> result) =>
        await (await result).ExecuteResultAsync(new ActionContext(http, http.GetRouteData(), new ActionDescriptor()));
}
