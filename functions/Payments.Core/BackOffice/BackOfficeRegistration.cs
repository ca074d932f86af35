using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Payments.Core.Hosting;
using Payments.Core.Http;

namespace Payments.Core.BackOffice;

/// <summary>Registers the <see cref="IBackOffice"/> that <c>BackOffice:Provider</c> names.</summary>
public static class BackOfficeRegistration
{
    public const string ProviderNone = "None";
    public const string ProviderCrmCom = "CrmCom";
    /// <summary>Name of the typed HttpClient of the CRM.COM adapter.</summary>
    public const string CrmComHttpClientName = "CrmCom";

    /// <summary>
    /// <c>None</c> (or unset) → <see cref="LedgerOnlyBackOffice"/>; <c>CrmCom</c> → <see cref="CrmComBackOffice"/> as a typed
    /// HttpClient, with a singleton <see cref="CrmComSession"/> (token cache) and the <see cref="CrmComOptions"/> read now.
    /// Anything else, or an incomplete CRM.COM configuration, throws <see cref="InvalidOperationException"/> naming the setting.
    /// Registers <see cref="TimeProvider.System"/> unless a TimeProvider is registered already.
    /// </summary>
    public static IServiceCollection AddBackOffice(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var provider = configuration[SettingNames.BackOfficeProvider]?.Trim();
        if (string.IsNullOrEmpty(provider) || string.Equals(provider, ProviderNone, StringComparison.OrdinalIgnoreCase))
        {
            services.AddSingleton<IBackOffice, LedgerOnlyBackOffice>();
            return services;
        }
        if (string.Equals(provider, ProviderCrmCom, StringComparison.OrdinalIgnoreCase))
        {
            return services.AddCrmComBackOffice(CrmComOptions.FromConfiguration(configuration));
        }
        throw new InvalidOperationException(
            $"{SettingNames.ToEnvironmentName(SettingNames.BackOfficeProvider)}='{provider}' is not supported; use '{ProviderNone}' or '{ProviderCrmCom}'.");
    }

    /// <summary>Registers the CRM.COM adapter with explicit options (tests, tools).</summary>
    public static IServiceCollection AddCrmComBackOffice(this IServiceCollection services, CrmComOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton<CrmComSession>();
        services.AddHttpClient<IBackOffice, CrmComBackOffice>(CrmComHttpClientName, http =>
            {
                // The adapter applies its own per-call timeout (CrmComOptions.Timeout).
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            // Look-ups carry the token in the query string (CRM.COM's GET convention): keep request URIs out of
            // the HttpClientFactory logs altogether; the adapter logs every call itself, without secrets.
            .RemoveAllLoggers()
            .UseLongLivedHandler(); // the workers (singletons) hold it
        return services;
    }
}
