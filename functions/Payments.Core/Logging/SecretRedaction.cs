using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Core.BackOffice;
using Payments.Core.Security;
using Payments.Core.Storage;

namespace Payments.Core.Logging;

/// <summary>
/// Every logger of the app (ASP.NET Core's request logging included, which writes the query string,
/// and with it a key given as <c>?code=…</c>) writes through <see cref="LogRedactor"/>: the message, and
/// each structured value a provider might write on its own. Wraps the logger factory rather than the
/// providers, so that providers added later (tests capture logs) and per-provider filter settings keep working.
/// Both hosts call it: the local host, and the worker (whose own ASP.NET Core server logs the requests the
/// Functions host passes on to it, and whose logs go to the console and Application Insights).
/// </summary>
public static class SecretRedaction
{
    /// <summary>Wraps the app's <see cref="ILoggerFactory"/>; its secrets are read from the app's configuration.</summary>
    public static ILoggingBuilder RedactSecrets(this ILoggingBuilder logging)
    {
        var services = logging.Services;
        var original = services.LastOrDefault(d => d.ServiceType == typeof(ILoggerFactory) && !d.IsKeyedService)
            ?? throw new InvalidOperationException("logging is not registered");
        services.TryAddSingleton(sp => LogRedactor.FromSettings(Bound<InternalOptions>(sp), Bound<SecurityOptions>(sp), Bound<BackOfficeOptions>(sp), Bound<StorageConnectionOptions>(sp)));
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp =>
            new RedactingLoggerFactory(Create(sp, original), sp.GetRequiredService<LogRedactor>())));
        return logging;
    }

    /// <summary>The options as bound, not validated: the start that fails validation logs through the redactor too.</summary>
    private static T Bound<T>(IServiceProvider sp) where T : class, new()
    {
        var options = new T();
        foreach (var configure in sp.GetServices<IConfigureOptions<T>>()) configure.Configure(options);
        return options;
    }

    private static ILoggerFactory Create(IServiceProvider sp, ServiceDescriptor d) =>
        (ILoggerFactory)(d.ImplementationInstance
            ?? d.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, d.ImplementationType!));
}
