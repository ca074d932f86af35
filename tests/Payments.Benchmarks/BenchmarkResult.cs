using System.Diagnostics;
using System.Text.Json.Serialization;

namespace Payments.Benchmarks;

/// <summary>One scenario's figures, in the JSON shape of docs/interfaces.md.</summary>
public sealed record BenchmarkResult(
    [property: JsonPropertyName("scenario")] string Scenario,
    [property: JsonPropertyName("requests")] int Requests,
    [property: JsonPropertyName("rps")] double Rps,
    [property: JsonPropertyName("p50_ms")] double P50Ms,
    [property: JsonPropertyName("p95_ms")] double P95Ms,
    [property: JsonPropertyName("p99_ms")] double P99Ms,
    [property: JsonPropertyName("storage_ops_per_request")] double StorageOpsPerRequest,
    [property: JsonPropertyName("baseline_p50_ms")] double? BaselineP50Ms);

/// <summary>Collects per-request latencies and turns them into a <see cref="BenchmarkResult"/>.</summary>
public sealed class LatencyRecorder
{
    private readonly List<double> _ms = [];
    private readonly Stopwatch _wall = new();

    public void StartWall() => _wall.Start();
    public void StopWall() => _wall.Stop();
    public void Add(TimeSpan elapsed) { lock (_ms) _ms.Add(elapsed.TotalMilliseconds); }
    public int Count => _ms.Count;

    public async Task<T> TimeAsync<T>(Func<Task<T>> action)
    {
        var start = Stopwatch.GetTimestamp();
        var result = await action();
        Add(Stopwatch.GetElapsedTime(start));
        return result;
    }

    public async Task TimeAsync(Func<Task> action)
    {
        var start = Stopwatch.GetTimestamp();
        await action();
        Add(Stopwatch.GetElapsedTime(start));
    }

    public double Percentile(double p)
    {
        lock (_ms)
        {
            if (_ms.Count == 0) return double.NaN;
            var sorted = _ms.Order().ToArray();
            var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length) - 1;
            return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
        }
    }

    public BenchmarkResult ToResult(string scenario, double storageOpsPerRequest, double? baselineP50Ms) =>
        new(scenario, Count, _wall.Elapsed.TotalSeconds > 0 ? Count / _wall.Elapsed.TotalSeconds : 0,
            Math.Round(Percentile(50), 3), Math.Round(Percentile(95), 3), Math.Round(Percentile(99), 3),
            Math.Round(storageOpsPerRequest, 2), baselineP50Ms is null ? null : Math.Round(baselineP50Ms.Value, 3));
}
