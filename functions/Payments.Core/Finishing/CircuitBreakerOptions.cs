using Microsoft.Extensions.Configuration;
using Payments.Core.Hosting;

namespace Payments.Core.Finishing;

/// <summary>The circuit breaker and drain limit of each dependency the finishing workers call (CRM.COM,
/// Google's notification endpoint), per instance (<c>Finishing:CircuitBreaker:*</c>, docs/operations.md).</summary>
public sealed class CircuitBreakerOptions
{
    /// <summary>How long an open breaker keeps calls away from the dependency before one probe goes through;
    /// also about how long a message waits before it comes back.</summary>
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Share of dependency-level failures among the calls of <see cref="SamplingDuration"/> that opens it.</summary>
    public double FailureRatio { get; init; } = 0.5;
    /// <summary>Calls within <see cref="SamplingDuration"/> before the ratio counts. At the default retry base
    /// delay one operation makes at most 4 calls in 30 s, so 10 takes several operations failing at once:
    /// one bad operation does not open it (and is parked after its budget).</summary>
    public int MinimumThroughput { get; init; } = 10;
    public TimeSpan SamplingDuration { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Calls in flight to the dependency per instance; the others wait their turn. It bounds the rate at
    /// which a backlog drains after an outage to this many calls per call latency per instance.</summary>
    public int MaxConcurrentCalls { get; init; } = 4;

    public static CircuitBreakerOptions FromConfiguration(IConfiguration configuration)
    {
        var percent = SettingNames.ReadInt(configuration, SettingNames.FinishingBreakerFailurePercent, 50, min: 1);
        if (percent > 100)
            throw new InvalidOperationException($"Setting {SettingNames.ToEnvironmentName(SettingNames.FinishingBreakerFailurePercent)} must be an integer from 1 to 100.");
        return new()
        {
            BreakDuration = TimeSpan.FromSeconds(SettingNames.ReadInt(configuration, SettingNames.FinishingBreakerBreakSeconds, 30, min: 1)),
            FailureRatio = percent / 100.0,
            MinimumThroughput = SettingNames.ReadInt(configuration, SettingNames.FinishingBreakerMinimumThroughput, 10, min: 2),
            SamplingDuration = TimeSpan.FromSeconds(SettingNames.ReadInt(configuration, SettingNames.FinishingBreakerSamplingSeconds, 30, min: 1)),
            MaxConcurrentCalls = SettingNames.ReadInt(configuration, SettingNames.FinishingBreakerMaxConcurrentCalls, 4, min: 1),
        };
    }
}
