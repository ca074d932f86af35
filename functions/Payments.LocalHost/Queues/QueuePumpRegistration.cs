using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Azure.Storage.Queues;

namespace Payments.LocalHost.Queues;

public static class QueuePumpRegistration
{
    /// <summary>
    /// Runs a <see cref="QueuePump"/> for <paramref name="queueName"/> as a hosted service, on the queues of
    /// <paramref name="clientFactory"/> (default: the registered <see cref="QueueServiceClient"/>). Needs a <see cref="HostJsonQueueOptions"/> registered (and optionally a
    /// <see cref="QueuePumpOptions"/>). The pump is also a keyed singleton under the queue name, so producers can
    /// <see cref="QueuePump.Wake"/> it: <c>sp.GetRequiredKeyedService&lt;QueuePump&gt;(queueName)</c>.
    /// </summary>
    public static IServiceCollection AddQueuePump(this IServiceCollection services, string queueName,
        Func<IServiceProvider, Func<string, CancellationToken, Task>> handlerFactory,
        Func<IServiceProvider, QueueServiceClient>? clientFactory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(queueName);
        ArgumentNullException.ThrowIfNull(handlerFactory);
        services.AddKeyedSingleton(queueName, (sp, _) => QueuePump.Create(
            clientFactory?.Invoke(sp) ?? sp.GetRequiredService<QueueServiceClient>(), queueName, handlerFactory(sp),
            sp.GetRequiredService<HostJsonQueueOptions>(), sp.GetRequiredService<ILoggerFactory>(),
            sp.GetService<QueuePumpOptions>(), sp.GetService<TimeProvider>()));
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredKeyedService<QueuePump>(queueName));
        return services;
    }
}
