using Payments.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Payments.Core.BackOffice;
using Payments.Core.Finishing;
using Payments.Core.Notifications;
using Polly.CircuitBreaker;

namespace Payments.Tests.Finishing;

/// <summary>The circuit breaker state handling of <see cref="DependencyBreaker"/> on a fake clock: which failures
/// reach the caller (and count an attempt) and which defer the work.</summary>
[Trait("Category", Category.Unit)]
public sealed class DependencyBreakerTests
{
    private static readonly TimeSpan Break = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-07T12:00:00Z"));
    private readonly EventLog _log = new();
    private int _calls;

    private DependencyBreakers Breakers(int maxConcurrentCalls = 4) => new(
        new FinishingOptions
        {
            CircuitBreaker = new CircuitBreakerOptions
            {
                BreakSeconds = (int)Break.TotalSeconds, FailurePercent = 50, MinimumThroughput = 2, SamplingSeconds = 60,
                MaxConcurrentCalls = maxConcurrentCalls,
            },
        }, _time, _log);

    private static BackOfficeFaultException Down() => new("CRM.COM refunds/create: timed out", unavailable: true);

    private Task<Gated<BookingOutcome>> BookAsync(DependencyBreaker breaker, Exception? failure = null) =>
        breaker.CallAsync<BookingOutcome>(_ =>
        {
            Interlocked.Increment(ref _calls);
            return failure is null ? Task.FromResult<BookingOutcome>(new BookingOutcome.Booked("b")) : Task.FromException<BookingOutcome>(failure);
        }, CancellationToken.None);

    private async Task<DependencyBreaker> OpenedAsync()
    {
        var breaker = Breakers().BackOffice;
        await Assert.ThrowsAsync<BackOfficeFaultException>(() => BookAsync(breaker, Down()));
        Assert.True((await BookAsync(breaker, Down())).Deferred);
        Assert.Equal(CircuitState.Open, breaker.State);
        return breaker;
    }

    [Fact]
    public async Task Dependency_failures_open_it_and_while_open_no_call_is_made_and_the_work_is_deferred_for_about_the_break()
    {
        var breaker = Breakers().BackOffice;
        // Closed: the failure is the caller's (an attempt counted).
        await Assert.ThrowsAsync<BackOfficeFaultException>(() => BookAsync(breaker, Down()));
        Assert.Equal(CircuitState.Closed, breaker.State);
        // The failure that opens it is the dependency's: deferred, not thrown.
        var opening = await BookAsync(breaker, Down());
        Assert.True(opening.Deferred);
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(2, _calls);

        _time.Advance(Break / 2);
        var deferred = await BookAsync(breaker);
        Assert.True(deferred.Deferred);
        Assert.InRange(deferred.RetryAfter!.Value, Break, Break * 1.25);
        Assert.Equal(2, _calls);
        Assert.Contains(71, _log.Ids);
    }

    [Fact]
    public async Task After_the_break_one_probe_goes_through_and_its_success_closes_it()
    {
        var breaker = await OpenedAsync();
        _time.Advance(Break);
        var probe = new TaskCompletionSource<BookingOutcome>();
        var probeStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probing = breaker.CallAsync(_ => { Interlocked.Increment(ref _calls); probeStarted.SetResult(); return probe.Task; }, CancellationToken.None);
        await probeStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        // Only the probe: the others wait.
        Assert.True((await BookAsync(breaker)).Deferred);
        Assert.Equal(3, _calls);

        probe.SetResult(new BookingOutcome.Booked("probe"));
        Assert.False((await probing).Deferred);
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.IsType<BookingOutcome.Booked>((await BookAsync(breaker)).Value);
        Assert.Equal([71, 72, 73], _log.Ids);
    }

    [Fact]
    public async Task A_failed_probe_opens_it_again_and_its_work_is_deferred_not_counted()
    {
        var breaker = await OpenedAsync();
        _time.Advance(Break);
        var probe = await BookAsync(breaker, Down());
        Assert.True(probe.Deferred);
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.Equal(3, _calls);
    }

    [Fact]
    public async Task Failures_of_one_operation_reach_the_caller_and_never_open_it()
    {
        var breaker = Breakers().BackOffice;
        for (var i = 0; i < 10; i++)
            await Assert.ThrowsAsync<BackOfficeFaultException>(() => BookAsync(breaker, new BackOfficeFaultException("CRM.COM answered UNKNOWN_CODE (HTTP 200)")));
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(10, _calls);
    }

    [Fact]
    public async Task Google_opens_on_unavailable_attempts_and_a_refusal_of_one_notification_is_returned()
    {
        var breaker = Breakers().Google;
        Task<Gated<NotificationAttempt>> Send(int? status, NotificationOutcome outcome) =>
            breaker.CallAsync(_ => Task.FromResult(new NotificationAttempt(_time.GetUtcNow(), TimeSpan.Zero, 0, status, outcome, "x")), CancellationToken.None);

        for (var i = 0; i < 5; i++) Assert.False((await Send(400, NotificationOutcome.Rejected)).Deferred);
        Assert.False((await Send(200, NotificationOutcome.Failed)).Deferred); // garbage: this answer's problem
        Assert.Equal(CircuitState.Closed, breaker.State);

        breaker = Breakers().Google;
        var first = await Send(503, NotificationOutcome.Failed);
        Assert.False(first.Deferred); // closed: counted
        Assert.True((await Send(null, NotificationOutcome.Failed)).Deferred); // a timeout opens it
        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public void A_notification_that_could_not_be_sealed_is_not_Google_being_down()
    {
        var unsealed = new NotificationAttempt(_time.GetUtcNow(), TimeSpan.Zero, 0, null, NotificationOutcome.Failed, "the body could not be sealed");
        Assert.True(unsealed.Unavailable);
        Assert.False((unsealed with { LocalFailure = true }).Unavailable);
    }

    [Fact]
    public async Task No_more_calls_than_the_limit_are_in_flight_the_others_wait_their_turn()
    {
        var breaker = Breakers(maxConcurrentCalls: 2).BackOffice;
        var started = new List<TaskCompletionSource<BookingOutcome>>();
        Task<Gated<BookingOutcome>> Call() => breaker.CallAsync(_ =>
        {
            var call = new TaskCompletionSource<BookingOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (started) started.Add(call);
            return call.Task;
        }, CancellationToken.None);

        var calls = Enumerable.Range(0, 3).Select(_ => Call()).ToList();
        lock (started) Assert.Equal(2, started.Count);
        started[0].SetResult(new BookingOutcome.Booked("1"));
        await calls[0];
        await WaitUntil(() => { lock (started) return started.Count == 3; });
        started[1].SetResult(new BookingOutcome.Booked("2"));
        started[2].SetResult(new BookingOutcome.Booked("3"));
        Assert.All(await Task.WhenAll(calls), g => Assert.False(g.Deferred));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition());
    }

    /// <summary>The event ids the breaker logged, in order.</summary>
    private sealed class EventLog : ILogger<DependencyBreaker>
    {
        public List<int> Ids { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Ids) Ids.Add(eventId.Id);
        }
    }
}
