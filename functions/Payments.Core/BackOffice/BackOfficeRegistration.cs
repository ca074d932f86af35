using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Payments.Core.Configuration;
using Payments.Core.Http;

namespace Payments.Core.BackOffice;

/// <summary>Registers the <see cref="IBackOffice"/> that <c>BackOffice:Provider</c> names.</summary>
public static class BackOfficeRegistration
{
    /// <summary>Name of the typed HttpClient of the CRM.COM adapter.</summary>
    public const string CrmComHttpClientName = "CrmCom";

    /// <summary>
    /// Binds <see cref="BackOfficeOptions"/> (validated at start by <see cref="BackOfficeOptionsValidator"/>) and registers the
    /// <see cref="IBackOffice"/> its provider names: <c>None</c> → <see cref="LedgerOnlyBackOffice"/>; <c>CrmCom</c> →
    /// <see cref="CrmComBackOffice"/> (a typed HttpClient, with a singleton <see cref="CrmComSession"/>, the token cache).
    /// Registers <see cref="TimeProvider.System"/> unless a TimeProvider is registered already.
    /// </summary>
    public static IServiceCollection AddBackOffice(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSettings<BackOfficeOptions>(BackOfficeOptions.Section);
        services.AddSingleton<IValidateOptions<BackOfficeOptions>, BackOfficeOptionsValidator>();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<BackOfficeOptions>>().Value.CrmCom);
        AddCrmComClient(services);
        services.AddSingleton<IBackOffice>(sp => sp.GetRequiredService<IOptions<BackOfficeOptions>>().Value.IsCrmCom
            ? sp.GetRequiredService<CrmComBackOffice>()
            : new LedgerOnlyBackOffice());
        return services;
    }

    /// <summary>Registers the CRM.COM adapter with explicit options (tests, tools).</summary>
    public static IServiceCollection AddCrmComBackOffice(this IServiceCollection services, CrmComOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        AddCrmComClient(services);
        services.AddSingleton<IBackOffice>(sp => sp.GetRequiredService<CrmComBackOffice>());
        return services;
    }

    private static void AddCrmComClient(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CrmComSession>();
        services.AddHttpClient<CrmComBackOffice>(CrmComHttpClientName, http =>
            {
                // The adapter applies its own per-call timeout (CrmComOptions.Timeout).
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            // Look-ups carry the token in the query string (CRM.COM's GET convention): keep request URIs out of
            // the HttpClientFactory logs altogether; the adapter logs every call itself, without secrets.
            .RemoveAllLoggers()
            .UseLongLivedHandler(); // the workers (singletons) hold it
    }
}
