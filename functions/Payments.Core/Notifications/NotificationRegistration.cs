using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Payments.Core.Http;
using Microsoft.Extensions.Options;
using Payments.Core.Configuration;

namespace Payments.Core.Notifications;

internal static class NotificationRegistration
{
    /// <summary>The one HttpClient configuration for calls to Google (notifications and statements share its pool).</summary>
    public const string HttpClientName = "GoogleNotifications";

    /// <summary>
    /// Registers <see cref="IGoogleNotificationClient"/> (a typed HttpClient, <see cref="GoogleNotificationClient"/>) with
    /// <see cref="GoogleNotificationOptions"/> bound to <c>Google:*</c> and validated at start. Needs an
    /// <see cref="Security.IMessageEnvelope"/> registered by the security registration. Registers
    /// <see cref="TimeProvider.System"/> unless one is registered already.
    /// </summary>
    public static IServiceCollection AddGoogleNotifications(this IServiceCollection services)
    {
        services.AddSettings<GoogleNotificationOptions>(GoogleNotificationOptions.Section);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<GoogleNotificationOptions>>().Value);
        return AddClient(services);
    }

    /// <summary>With explicit options (tests).</summary>
    public static IServiceCollection AddGoogleNotifications(this IServiceCollection services, GoogleNotificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        return AddClient(services);
    }

    private static IServiceCollection AddClient(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient<IGoogleNotificationClient, GoogleNotificationClient>(HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers() // the client logs every attempt itself
            .UseLongLivedHandler(); // the notification worker (a singleton) holds it
        return services;
    }
}
