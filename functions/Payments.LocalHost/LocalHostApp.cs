using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Options;
using Payments.Core.Hosting;
using Payments.Core.Logging;
using Payments.Core.Storage;
using Payments.LocalHost.Finishing;
using Payments.LocalHost.Functions;
using Payments.LocalHost.Queues;
using Payments.Core.Idempotency;

namespace Payments.LocalHost;

/// <summary>
/// The Functions app self-hosted on Kestrel: the app's own [Function] methods (<see cref="FunctionCatalog"/>)
/// at their routes (like <c>func start</c>, without a function-key check: the app checks its own key on the
/// internal routes, <see cref="InternalAccess"/>, here as in Azure), the same
/// service registration, and queue pumps and timers invoking the queue and timer functions. What the local
/// run and the end-to-end tests use.
/// </summary>
public static class LocalHostApp
{
    public const string DefaultUrl = "http://127.0.0.1:7071";
    public const string FunctionsEnvironment = "AZURE_FUNCTIONS_ENVIRONMENT";

    /// <param name="overrides">settings that win over every other source (tests)</param>
    /// <param name="configure">last changes to the builder (tests: log capture, a fake clock)</param>
    /// <param name="configureApp">middleware to add before the routes (benchmarks: timing)</param>
    /// <param name="runFinishing">false: no queue pumps and no relay (benchmarks of the protocol calls alone)</param>
    public static WebApplication Create(string[] args, IReadOnlyDictionary<string, string?>? overrides = null,
        Action<WebApplicationBuilder>? configure = null, Action<WebApplication>? configureApp = null, bool runFinishing = true)
    {
        var local = LocalSettings.FindFile() is { } settingsFile ? LocalSettings.Read(settingsFile) : [];
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args, ContentRootPath = AppContext.BaseDirectory, EnvironmentName = LocalSettings.EnvironmentName(local, args, overrides),
        });
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = local });
        if (overrides is not null) builder.Configuration.AddInMemoryCollection(overrides);
        // The port `func start` uses, unless --urls (or ASPNETCORE_URLS) says otherwise.
        if (string.IsNullOrEmpty(builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey)))
            builder.WebHost.UseUrls(DefaultUrl);
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        builder.Logging.RedactSecrets();

        // The queue settings the Functions host reads from host.json; our producers write the same encoding.
        var queues = HostJsonQueueOptions.Load();
        builder.Services.AddSingleton(queues);
        builder.Services.PostConfigure<StorageClientOptions>(o => o.MessageEncoding = queues.MessageEncoding);
        builder.Services.AddPayments();
        var functions = FunctionCatalog.Discover();
        builder.Services.AddSingleton(functions);
        if (runFinishing) builder.Services.AddLocalFinishing(functions, builder.Configuration);
        configure?.Invoke(builder);
        var app = builder.Build();
        // Every setting is checked now, before storage is touched (the host would check them only at start).
        app.Services.GetRequiredService<IStartupValidator>().Validate();
        app.Services.GetRequiredService<Payments.Core.Security.IMessageEnvelope>();
        configureApp?.Invoke(app);
        MapRoutes(app);
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

    /// <summary>Serves every HTTP function of the app at its route and methods, invoking the [Function] method itself.</summary>
    private static void MapRoutes(WebApplication app)
    {
        foreach (var function in app.Services.GetRequiredService<IReadOnlyList<AppFunction>>())
        {
            if (function.Trigger is not HttpFunctionTrigger http) continue;
            app.MapMethods("/" + http.Route, http.Methods.Select(m => m.ToUpperInvariant()).ToArray(), context => Invoke(context, function)).WithName(function.Name);
        }
    }

    /// <summary>Invokes the function (its CancellationToken ends with the request) and writes its result.</summary>
    private static async Task Invoke(HttpContext context, AppFunction function)
    {
        var result = await function.InvokeHttpAsync(context.Request, context.RequestAborted);
        await result.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
    }
}
