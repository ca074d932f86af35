using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Payments.Core.Hosting;

public static class ServiceCollectionExtensions
{
    /// <summary>The one service registration both hosts (Functions and the local host) call.</summary>
    public static IServiceCollection AddPayments(this IServiceCollection services, IConfiguration configuration)
    {
        return services;
    }
}
