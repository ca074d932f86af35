using System.Diagnostics;
using System.Globalization;

namespace Payments.Benchmarks.Security;

/// <summary>
/// What one hostile request costs before it is refused: CPU time per request (the process's over a run of
/// requests, GC included), the growth of the peak working set one request causes (peak reset and heap
/// collected before it; the largest of several) and the heap allocated per request. Shared by the
/// <c>pgp-hostile</c> and <c>jwe-hostile</c> scenarios; the budget is 50 MB and 100 ms per request.
/// </summary>
internal static class HostileCost
{
    public const double BudgetMb = 50, BudgetMs = 100;
    public const int MaxBody = 1 << 20;

    public sealed record Cost(double CpuMs, double PeakMb, double AllocMb, LatencyRecorder Latency)
    {
        public bool Under => PeakMb <= BudgetMb && CpuMs <= BudgetMs;
    }

    public static Cost Alone(Action request, int iterations)
    {
        request(); // warm-up
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        long allocated = 0;
        var recorder = new LatencyRecorder();
        recorder.StartWall();
        for (int i = 0; i < iterations; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var start = Stopwatch.GetTimestamp();
            request();
            recorder.Add(Stopwatch.GetElapsedTime(start));
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
        }
        recorder.StopWall();
        process.Refresh();
        double cpuMs = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / iterations;
        long peakGrowth = 0;
        for (int i = 0; i < Math.Min(iterations, 8); i++)
        {
            long baseline = CollectAndResetPeak();
            request();
            peakGrowth = Math.Max(peakGrowth, PeakWorkingSet() - baseline);
        }
        return new Cost(cpuMs, peakGrowth / 1e6, allocated / 1e6 / iterations, recorder);
    }

    /// <summary><paramref name="concurrency"/> requests released at once: CPU per request and the growth
    /// of the peak working set the burst causes (not collected in between).</summary>
    public static (double CpuMs, double PeakMb) Burst(Action request, int concurrency)
    {
        long baseline = CollectAndResetPeak();
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        using var start = new Barrier(concurrency);
        var threads = Enumerable.Range(0, concurrency).Select(_ => new Thread(() => { start.SignalAndWait(); request(); })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        process.Refresh();
        return ((process.TotalProcessorTime - cpuBefore).TotalMilliseconds / concurrency, (PeakWorkingSet() - baseline) / 1e6);
    }

    /// <summary>The HTTP status the endpoint would give: 200, or the envelope failure's 400 / 401.</summary>
    public static string Answer(Action open)
    {
        try
        {
            open();
            return "200";
        }
        catch (Payments.Core.Security.EnvelopeException e)
        {
            return e.Failure == Payments.Core.Security.EnvelopeFailure.InvalidSignature ? "401" : "400";
        }
    }

    public static long WorkingSet()
    {
        using var p = Process.GetCurrentProcess();
        return p.WorkingSet64;
    }

    public static long CollectAndResetPeak()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        // Linux: writing 5 to clear_refs resets the peak resident set size (VmHWM).
        try { File.WriteAllText("/proc/self/clear_refs", "5"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return WorkingSet();
    }

    private static long PeakWorkingSet()
    {
        using var p = Process.GetCurrentProcess();
        return p.PeakWorkingSet64;
    }

    public static string Mb(long bytes) => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture);

    public static string Slug(string name) =>
        string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-')).Replace("--", "-").Trim('-');
}
