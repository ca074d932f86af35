using Microsoft.Extensions.Configuration;
using Payments.Core.Hosting;

namespace Payments.Core.Finishing;

/// <summary>Retry budget and timing of the asynchronous finishing steps.</summary>
public sealed class FinishingOptions
{
    /// <summary>Attempts per step (booking, notification) before the operation is parked for an operator.</summary>
    public int MaxAttempts { get; init; } = 10;
    /// <summary>First retry delay; doubles per attempt (with jitter) up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>An unfinished operation that has not moved for this long lost its queue message
    /// (a crash between commit and put): the outbox relay enqueues it again.</summary>
    public TimeSpan RelayGrace { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Work queue depth at which new asynchronous work is answered 503 (<see cref="FinishingBacklog"/>); 0: never.</summary>
    public int MaxBacklog { get; init; }
    /// <summary>The dependencies' circuit breakers: an outage defers work without spending its budget.</summary>
    public CircuitBreakerOptions CircuitBreaker { get; init; } = new();

    public static FinishingOptions FromConfiguration(IConfiguration configuration) => new()
    {
        MaxAttempts = SettingNames.ReadInt(configuration, SettingNames.FinishingMaxAttempts, 10, min: 1),
        RetryBaseDelay = TimeSpan.FromMilliseconds(SettingNames.ReadInt(configuration, SettingNames.FinishingRetryBaseMilliseconds, 2000, min: 1)),
        RelayGrace = TimeSpan.FromSeconds(SettingNames.ReadInt(configuration, SettingNames.FinishingRelayGraceSeconds, 60, min: 1)),
        MaxBacklog = SettingNames.ReadInt(configuration, SettingNames.FinishingMaxBacklog, 0, min: 0),
        CircuitBreaker = CircuitBreakerOptions.FromConfiguration(configuration),
    };

    public TimeSpan RetryDelay(int attempt)
    {
        var exponential = RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 20));
        var jittered = exponential * (0.8 + 0.4 * Random.Shared.NextDouble());
        return TimeSpan.FromMilliseconds(Math.Min(jittered, MaxRetryDelay.TotalMilliseconds));
    }
}
