using Microsoft.ApplicationInsights.Channel;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.ApplicationInsights.WindowsServer.Channel.Implementation;
using Microsoft.ApplicationInsights.WindowsServer.TelemetryChannel;
using Microsoft.ApplicationInsights.WorkerService;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Payments.Core.Hosting;

namespace Payments.Functions;

/// <summary>
/// Application Insights for the worker, as the isolated-worker templates set it up: its logs (with
/// their structured values — requestId, paymentIntegratorAccountId, errorIdentifier — as custom
/// dimensions) and its dependency calls (Azure SDK storage calls, Google, CRM.COM). The host sends the
/// requests (host.json samples everything but requests and exceptions). Nothing is registered, and so
/// nothing sent, unless APPLICATIONINSIGHTS_CONNECTION_STRING is set; locally the logs go to the console.
/// </summary>
public static class Telemetry
{
    /// <summary>Share of ordinary telemetry kept by the adaptive sampler (items per second per instance).</summary>
    public const double MaxTelemetryItemsPerSecond = 20;
    /// <summary>A platform setting: the Functions host and the SDK read it too.</summary>
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    public static FunctionsApplicationBuilder AddPaymentsTelemetry(this FunctionsApplicationBuilder builder)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration[ConnectionStringSetting])) return builder;

        builder.Services
            // Our own sampler (below) replaces the built-in one so that errors are never sampled out.
            .AddApplicationInsightsTelemetryWorkerService(new ApplicationInsightsServiceOptions { EnableAdaptiveSampling = false })
            .ConfigureFunctionsApplicationInsights();
        builder.Services.AddApplicationInsightsTelemetryProcessor<ErrorsAlwaysKept>();
        // The worker templates remove the default rule that sends only warnings and above to Application Insights.
        builder.Services.Configure<LoggerFilterOptions>(options =>
        {
            var rule = options.Rules.FirstOrDefault(r => r.ProviderName
                == "Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider");
            if (rule is not null) options.Rules.Remove(rule);
        });
        return builder;
    }

    /// <summary>Adaptive sampling for the ordinary traffic; every warning, error, exception and failed
    /// dependency bypasses it, so sampling never drops an error.</summary>
    public sealed class ErrorsAlwaysKept : ITelemetryProcessor
    {
        private readonly ITelemetryProcessor _next;
        private readonly AdaptiveSamplingTelemetryProcessor _sampler;

        public ErrorsAlwaysKept(ITelemetryProcessor next)
            : this(next, new SamplingPercentageEstimatorSettings { MaxTelemetryItemsPerSecond = MaxTelemetryItemsPerSecond })
        {
        }

        internal ErrorsAlwaysKept(ITelemetryProcessor next, SamplingPercentageEstimatorSettings settings)
        {
            _next = next;
            _sampler = new AdaptiveSamplingTelemetryProcessor(settings, callback: null, next);
        }

        public void Process(ITelemetry item)
        {
            if (IsError(item)) _next.Process(item);
            else _sampler.Process(item);
        }

        public static bool IsError(ITelemetry item) => item switch
        {
            ExceptionTelemetry => true,
            TraceTelemetry t => t.SeverityLevel >= SeverityLevel.Warning,
            DependencyTelemetry d => d.Success == false,
            RequestTelemetry r => r.Success == false,
            _ => false,
        };
    }
}
