using System.ComponentModel.DataAnnotations;

namespace Payments.Core.Finishing;

/// <summary>The circuit breaker and drain limit of each dependency the finishing workers call (CRM.COM,
/// Google's notification endpoint), per instance (<c>Finishing:CircuitBreaker:*</c>, docs/operations.md).</summary>
public sealed class CircuitBreakerOptions
{
    /// <summary>How long an open breaker keeps calls away from the dependency before one probe goes through;
    /// also about how long a message waits before it comes back.</summary>
    [Range(1, 86_400)]
    public int BreakSeconds { get; set; } = 30;
    /// <summary>Share (percent) of dependency-level failures among the calls of the sampling window that opens it.</summary>
    [Range(1, 100)]
    public int FailurePercent { get; set; } = 50;
    /// <summary>Calls within the sampling window before the ratio counts. At the default retry base delay one
    /// operation makes at most 4 calls in 30 s, so 10 takes several operations failing at once: one bad
    /// operation does not open it (and is parked after its budget).</summary>
    [Range(2, int.MaxValue)]
    public int MinimumThroughput { get; set; } = 10;
    [Range(1, 86_400)]
    public int SamplingSeconds { get; set; } = 30;
    /// <summary>Calls in flight to the dependency per instance; the others wait their turn. It bounds the rate at
    /// which a backlog drains after an outage to this many calls per call latency per instance.</summary>
    [Range(1, 1_000)]
    public int MaxConcurrentCalls { get; set; } = 4;

    public TimeSpan BreakDuration => TimeSpan.FromSeconds(BreakSeconds);
    public double FailureRatio => FailurePercent / 100.0;
    public TimeSpan SamplingDuration => TimeSpan.FromSeconds(SamplingSeconds);
}
