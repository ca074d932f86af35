using Microsoft.Extensions.DependencyInjection;

namespace Payments.Core.Http;

/// <summary>
/// Typed HttpClients that singletons capture (the finishing workers hold the Google and CRM.COM clients
/// for the app's life) never see IHttpClientFactory's handler rotation, so DNS changes would never be
/// picked up. Instead their one handler recycles its own connections: every pooled connection is closed
/// after <see cref="ConnectionLifetime"/> and the next one resolves the name again. The factory's rotation
/// is switched off, since nothing would ever use a rotated handler.
/// </summary>
internal static class LongLivedHttpClients
{
    public static readonly TimeSpan ConnectionLifetime = TimeSpan.FromMinutes(2);

    public static IHttpClientBuilder UseLongLivedHandler(this IHttpClientBuilder builder) => builder
        .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = ConnectionLifetime })
        .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
}
