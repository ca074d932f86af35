using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Payments.Core.Hosting;
using Payments.Core.Logging;

namespace Payments.Functions;

/// <summary>Builds the isolated-worker app: what <c>Program</c> runs in Azure and what the tests build to
/// resolve and invoke the [Function] classes. One place, so the tests exercise the container that ships.</summary>
public static class FunctionsApp
{

    /// <param name="configure">extra configuration sources added last (tests: settings pointing at Azurite)</param>
    public static FunctionsApplicationBuilder CreateBuilder(string[] args, Action<IConfigurationBuilder>? configure = null)
    {
        var builder = FunctionsApplication.CreateBuilder(args);
        configure?.Invoke(builder.Configuration);
        builder.ConfigureFunctionsWebApplication();          // ASP.NET Core integration: HttpRequest in, IActionResult out
        builder.Services.AddPayments();                      // the same registration the local host calls
        builder.AddPaymentsTelemetry();
        builder.Logging.RedactSecrets();                     // as the local host: no key, password or control character in a log line
        // Every registered service must be constructible at start, and no singleton may capture a scoped one.
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }));
        return builder;
    }
}
