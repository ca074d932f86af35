using Payments.StandIns.Chaos;

namespace Payments.Benchmarks.Load;

/// <summary>
/// Sustained mixed traffic (the load driver's mix: every method, store payments, refunds, replays,
/// concurrent duplicates) at a fixed open-loop rate against the local host as its own process, with
/// the CRM.COM back office and Google's notification endpoints as stand-ins, no chaos; the run ends
/// with the ledger audit. Latency counts from each request's scheduled send time, after a 10-s ramp-up
/// (audited, not timed) while the host compiles its code and opens its connections.
/// </summary>
public sealed class SustainedLoadScenario(double rate = 200, int seconds = 30) : IBenchmarkScenario
{
    public string Name => "load";

    public async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext ctx, CancellationToken ct)
    {
        var result = await SoakRunner.RunAsync(new SoakOptions { Duration = TimeSpan.FromSeconds(seconds), WarmUp = TimeSpan.FromSeconds(10), Rate = rate, Chaos = false, Seed = 11 }, ct);
        if (!result.Clean) Console.Error.WriteLine($"load: the audit found problems:\n{result.Audit}");
        var recorder = new LatencyRecorder();
        var measured = result.Records.Where(r => r.Status > 0 && !r.WarmUp).ToList();
        foreach (var r in measured) recorder.Add(TimeSpan.FromMilliseconds(r.LatencyMs));
        var answered = measured.Count;
        // The host runs in its own process: its storage round trips are not counted here (0).
        return [recorder.ToResult($"load.mixed@{rate:0}rps", 0, null) with { Rps = answered / (double)seconds }];
    }
}
