using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Payments.Core.Http;


namespace Payments.Core.Notifications;

internal static class NotificationRegistration
{
    /// <summary>
    /// Registers <see cref="IGoogleNotificationClient"/> (a typed HttpClient, <see cref="GoogleNotificationClient"/>) with
    /// <see cref="GoogleNotificationOptions"/> from <c>Google:BaseUrl</c> (read now; a missing or malformed value throws
    /// naming <c>Google__BaseUrl</c>). Needs an <see cref="Security.IMessageEnvelope"/> registered by the security
    /// registration. Registers <see cref="TimeProvider.System"/> unless one is registered already.
    /// </summary>
    public static IServiceCollection AddGoogleNotifications(this IServiceCollection services, IConfiguration configuration)
        => services.AddGoogleNotifications(GoogleNotificationOptions.FromConfiguration(configuration));

    public static IServiceCollection AddGoogleNotifications(this IServiceCollection services, GoogleNotificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddHttpClient<IGoogleNotificationClient, GoogleNotificationClient>("GoogleNotifications", http => http.Timeout = Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers() // the client logs every attempt itself
            .UseLongLivedHandler(); // the notification worker (a singleton) holds it
        return services;
    }
}
