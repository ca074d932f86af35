using System.ComponentModel.DataAnnotations;

namespace Payments.Core.Finishing;

/// <summary>Retry budget and timing of the asynchronous finishing steps (<c>Finishing:*</c>).</summary>
public sealed class FinishingOptions
{
    public const string Section = "Finishing";

    /// <summary>Attempts per step (booking, notification) before the operation is parked for an operator.</summary>
    [Range(1, int.MaxValue)]
    public int MaxAttempts { get; set; } = 10;
    /// <summary>First retry delay; doubles per attempt (with jitter) up to <see cref="MaxRetryDelay"/>.</summary>
    [Range(1, int.MaxValue)]
    public int RetryBaseMilliseconds { get; set; } = 2000;
    /// <summary>An unfinished operation that has not moved for this long lost its queue message
    /// (a crash between commit and put): the outbox relay enqueues it again.</summary>
    [Range(1, int.MaxValue)]
    public int RelayGraceSeconds { get; set; } = 60;
    /// <summary>Work queue depth at which new asynchronous work is answered 503 (<see cref="FinishingBacklog"/>); 0: never.</summary>
    [Range(0, int.MaxValue)]
    public int MaxBacklog { get; set; }

    /// <summary>The dependencies' circuit breakers: an outage defers work without spending its budget.</summary>
    public CircuitBreakerOptions CircuitBreaker { get; set; } = new();

    public TimeSpan RetryBaseDelay => TimeSpan.FromMilliseconds(RetryBaseMilliseconds);
    public TimeSpan RelayGrace => TimeSpan.FromSeconds(RelayGraceSeconds);
    public static TimeSpan MaxRetryDelay => TimeSpan.FromMinutes(10);

    public TimeSpan RetryDelay(int attempt)
    {
        var exponential = RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 20));
        var jittered = exponential * (0.8 + 0.4 * Random.Shared.NextDouble());
        return TimeSpan.FromMilliseconds(Math.Min(jittered, MaxRetryDelay.TotalMilliseconds));
    }
}
