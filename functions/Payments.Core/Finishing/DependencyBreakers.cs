using Microsoft.Extensions.Logging;
using Payments.Core.BackOffice;
using Payments.Core.Notifications;

namespace Payments.Core.Finishing;

/// <summary>The finishing workers' <see cref="DependencyBreaker"/>s, one per dependency, each opened only by
/// failures that say the dependency is down for everyone (a decline, an ErrorResponse or a 4xx of one
/// operation never opens it).</summary>
public sealed class DependencyBreakers(FinishingOptions options, TimeProvider time, ILogger<DependencyBreaker> logger)
{
    public DependencyBreaker BackOffice { get; } = new("back office", options.CircuitBreaker,
        o => o.Exception is BackOfficeFaultException { Unavailable: true }, time, logger);

    public DependencyBreaker Google { get; } = new("Google notifications", options.CircuitBreaker,
        o => o.Result is NotificationAttempt { Unavailable: true }, time, logger);
}
