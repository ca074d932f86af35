using System.Diagnostics;
using System.Runtime;

namespace Payments.Benchmarks;

/// <summary>
/// Runs a scenario's calls, untimed, until the JIT has gone quiet. Tiered compilation keeps
/// recompiling a path's hot methods (tier 0, instrumented, tier 1) on a background thread for
/// several seconds after the path first runs; on two cores that thread takes its time from the
/// calls being timed. Measured here: the SDK's two-entity batch costs 0.26 ms of client CPU once
/// compiled, but about 1 ms per call during its first ~10 s, most of it the JIT. A long-running
/// app lives at the steady state, so that is what the benchmarks time.
/// </summary>
public static class JitWarmup
{
    /// <summary>What the warm-up did, and what the JIT compiled after it (printed beside the figures).</summary>
    public sealed record Report(TimeSpan Elapsed, int Rounds, long MethodsInLastWindow, bool Quiet)
    {
        private readonly long _methodsAtEnd = JitInfo.GetCompiledMethodCount();
        private readonly TimeSpan _jitAtEnd = JitInfo.GetCompilationTime();

        /// <summary>Methods compiled, and JIT time spent, since the warm-up ended.</summary>
        public string SinceThen() => System.FormattableString.Invariant(
            $"JIT since warm-up: {JitInfo.GetCompiledMethodCount() - _methodsAtEnd} methods, {(JitInfo.GetCompilationTime() - _jitAtEnd).TotalMilliseconds:0} ms");

        public override string ToString() => System.FormattableString.Invariant(
            $"warm-up {Elapsed.TotalSeconds:0.0} s, {Rounds} rounds, {MethodsInLastWindow} methods compiled in its last second{(Quiet ? "" : " (JIT not yet quiet: figures include compilation)")}");
    }

    /// <summary>Calls <paramref name="round"/> (with a fresh, negative round number) until a one-second
    /// window compiles at most <paramref name="quietMethods"/> methods, or <paramref name="max"/> has passed.</summary>
    public static async Task<Report> RunAsync(Func<int, CancellationToken, Task> round, CancellationToken ct,
        int quietMethods = 5, TimeSpan? max = null)
    {
        var limit = max ?? TimeSpan.FromSeconds(60);
        var total = Stopwatch.StartNew();
        var rounds = 0;
        while (true)
        {
            var methods = JitInfo.GetCompiledMethodCount();
            var window = Stopwatch.StartNew();
            while (window.Elapsed < TimeSpan.FromSeconds(1)) await round(-1 - rounds++, ct);
            var compiled = JitInfo.GetCompiledMethodCount() - methods;
            var quiet = compiled <= quietMethods;
            if (quiet || total.Elapsed >= limit) return new Report(total.Elapsed, rounds, compiled, quiet);
        }
    }
}
