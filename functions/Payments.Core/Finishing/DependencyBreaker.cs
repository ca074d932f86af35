using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;

namespace Payments.Core.Finishing;

/// <summary>
/// One dependency of the finishing workers (CRM.COM, Google's notification endpoint) behind a circuit breaker
/// and a concurrency limit. The breaker (Polly) opens when dependency-level failures (timeouts, transport errors,
/// 5xx: <c>isDependencyFailure</c>) reach <see cref="CircuitBreakerOptions.FailureRatio"/> of the calls in the
/// sampling window; while it is open no call is made and the work is deferred; after the break one probe goes
/// through and closes it again, or opens it for another break. Nothing is retried here: a booking's only retry
/// path stays the back office's look-up (docs/backoffice.md).
/// A dependency-level failure seen while the breaker is open (the probe's, or the one that opened it) is deferred
/// too: the dependency failed, not the operation. Any other failure is the caller's to count against the budget.
/// </summary>
public sealed partial class DependencyBreaker
{
    private readonly CircuitBreakerOptions _options;
    private readonly Func<Outcome<object>, bool> _isDependencyFailure;
    private readonly CircuitBreakerStateProvider _state = new();
    private readonly ResiliencePipeline _pipeline;
    private readonly ConcurrencyLimiter _limiter;

    public DependencyBreaker(string dependency, CircuitBreakerOptions options, Func<Outcome<object>, bool> isDependencyFailure, TimeProvider time, ILogger logger)
    {
        Dependency = dependency;
        _options = options;
        _isDependencyFailure = isDependencyFailure;
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = options.FailureRatio,
                MinimumThroughput = options.MinimumThroughput,
                SamplingDuration = options.SamplingDuration,
                BreakDuration = options.BreakDuration,
                StateProvider = _state,
                ShouldHandle = args => ValueTask.FromResult(isDependencyFailure(args.Outcome)),
                OnOpened = args => { LogOpened(logger, dependency, args.BreakDuration.TotalSeconds, Describe(args.Outcome)); return default; },
                OnHalfOpened = _ => { LogHalfOpened(logger, dependency); return default; },
                OnClosed = _ => { LogClosed(logger, dependency); return default; },
            })
            .Build();
        // Inside the breaker: an open breaker turns calls away before they queue here. Waiting callers are
        // queue messages already leased; they keep their turn (oldest first).
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = options.MaxConcurrentCalls, QueueLimit = int.MaxValue, QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    public string Dependency { get; }
    public CircuitState State => _state.CircuitState;

    public async Task<Gated<T>> CallAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            var value = await _pipeline.ExecuteAsync(async ct =>
            {
                using var lease = await _limiter.AcquireAsync(1, ct);
                // Opened while this call waited its turn: it stays away too.
                if (State == CircuitState.Open) throw new BrokenCircuitException();
                return await call(ct);
            }, cancellationToken);
            return IsOpen && _isDependencyFailure(Outcome.FromResult<object>(value)) ? Defer<T>() : new Gated<T>(value, null);
        }
        catch (BrokenCircuitException)
        {
            return Defer<T>(); // open, or half-open with its probe under way
        }
        catch (Exception e) when (e is not OperationCanceledException && IsOpen && _isDependencyFailure(Outcome.FromException<object>(e)))
        {
            return Defer<T>();
        }
    }

    private bool IsOpen => State is CircuitState.Open or CircuitState.Isolated;

    // Up to a quarter more than the break, so that a backlog does not come back all at once.
    private Gated<T> Defer<T>() => new(default, _options.BreakDuration * (1 + Random.Shared.NextDouble() / 4));

    private static string Describe(Outcome<object> outcome) =>
        outcome.Exception?.Message ?? outcome.Result?.ToString() ?? "no outcome";

    [LoggerMessage(71, LogLevel.Warning, "{Dependency} circuit breaker opened for {BreakSeconds:0.#} s after {LastFailure}: work that needs it is deferred, no attempt counted")]
    private static partial void LogOpened(ILogger logger, string dependency, double breakSeconds, string lastFailure);

    [LoggerMessage(72, LogLevel.Information, "{Dependency} circuit breaker half-open: one probe call goes through")]
    private static partial void LogHalfOpened(ILogger logger, string dependency);

    [LoggerMessage(73, LogLevel.Information, "{Dependency} circuit breaker closed: calls go through again")]
    private static partial void LogClosed(ILogger logger, string dependency);
}
