using Microsoft.Extensions.DependencyInjection;
using Payments.Core.Notifications;

namespace Payments.Core.Settlement;

internal static class GoogleStatementsRegistration
{
    /// <summary>
    /// Registers <see cref="IGoogleStatements"/> (a typed HttpClient, <see cref="GoogleStatementsClient"/>) on the
    /// HttpClient, the <c>Google:*</c> options and the TimeProvider that
    /// <see cref="NotificationRegistration.AddGoogleNotifications(IServiceCollection)"/> registers (call that first),
    /// and the envelope of the security registration.
    /// </summary>
    public static IServiceCollection AddGoogleStatements(this IServiceCollection services)
    {
        services.AddHttpClient<IGoogleStatements, GoogleStatementsClient>(NotificationRegistration.HttpClientName);
        return services;
    }
}
