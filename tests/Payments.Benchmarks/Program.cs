// The benchmark command:
//   dotnet run -c Release --project tests/Payments.Benchmarks -- [--scenarios storage,...] [--json path] [--iterations N]
// Starts its own Azurite, runs the selected scenarios, prints one table and writes the JSON array
// (docs/interfaces.md "Benchmark output"). Scenarios plug in through IBenchmarkScenario and the registry below.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Payments.Benchmarks;
using Payments.Benchmarks.Endpoint;
using Payments.Benchmarks.Load;
using Payments.Benchmarks.Security;
using Payments.Benchmarks.Storage;
using Payments.StandIns.Azurite;

IBenchmarkScenario[] registry =
[
    new StorageScenario(),
    new EndpointScenario(),
    new EnvelopeScenario(),
    new PgpHostileScenario(),
    new JweHostileScenario(),
    new JweOracleScenario(),
    new EndpointScenario(pgp: true),
    new AsyncScenario(),
    new Payments.Benchmarks.ColdStart.ColdStartScenario(),
    new SustainedLoadScenario(),
    new Payments.Benchmarks.Settlement.SettlementScenario(),
    // Last: it leaves tens of thousands of entities in the run's Azurite.
    new StorageCapacityScenario(),
];

string[]? selected = null;
string? jsonPath = null;
var iterations = 500;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--scenarios": selected = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
        case "--json": jsonPath = Next(); break;
        case "--iterations":
            if (!int.TryParse(Next(), NumberStyles.None, CultureInfo.InvariantCulture, out iterations) || iterations < 1)
            {
                Console.Error.WriteLine("--iterations needs a positive number.");
                return 2;
            }
            break;
        case "-h" or "--help":
            Console.WriteLine($"usage: Payments.Benchmarks [--scenarios {string.Join(',', registry.Select(s => s.Name))}] [--json path] [--iterations N]");
            return 0;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}' (try --help)");
            return 2;
    }
}

var scenarios = selected is null
    ? registry.ToList()
    : selected.Select(name => registry.FirstOrDefault(s => s.Name.Equals(name, StringComparison.OrdinalIgnoreCase))).ToList()!;
if (scenarios.Any(s => s is null))
{
    Console.Error.WriteLine($"unknown scenario in '{string.Join(',', selected!)}'; known: {string.Join(", ", registry.Select(s => s.Name))}");
    return 2;
}

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
await using var azurite = await AzuriteProcess.StartAsync(cts.Token);
var context = new BenchmarkContext(azurite, iterations);
var results = new List<BenchmarkResult>();
foreach (var scenario in scenarios)
{
    Console.Error.WriteLine($"running {scenario!.Name} ({iterations} iterations)...");
    results.AddRange(await scenario.RunAsync(context, cts.Token));
}

Console.WriteLine($"Benchmark {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, iterations {iterations}");
Console.WriteLine($"{"scenario",-22} {"requests",8} {"rps",9} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"ops/req",8} {"base p50",9} {"overhead",9}");
foreach (var r in results)
{
    var overhead = r.BaselineP50Ms is > 0 ? $"{(r.P50Ms / r.BaselineP50Ms.Value - 1) * 100,8:+0.0;-0.0}%" : "        -";
    var baseline = r.BaselineP50Ms is { } b ? b.ToString("0.000", CultureInfo.InvariantCulture) : "-";
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{r.Scenario,-22} {r.Requests,8} {r.Rps,9:0.0} {r.P50Ms,8:0.000} {r.P95Ms,8:0.000} {r.P99Ms,8:0.000} {r.StorageOpsPerRequest,8:0.00} {baseline,9} {overhead}"));
}

if (jsonPath is not null)
{
    var full = Path.GetFullPath(jsonPath);
    Directory.CreateDirectory(Path.GetDirectoryName(full)!);
    await File.WriteAllTextAsync(full, JsonSerializer.Serialize(results, BenchmarkJson.Default.ListBenchmarkResult));
    Console.Error.WriteLine($"wrote {full}");
}
return 0;

namespace Payments.Benchmarks
{
    /// <summary>What a scenario gets: the run's Azurite and how many timed iterations to do.</summary>
    public sealed record BenchmarkContext(AzuriteProcess Azurite, int Iterations);

    /// <summary>One benchmark scenario; it may report several results (e.g. storage.get, storage.insert).</summary>
    public interface IBenchmarkScenario
    {
        string Name { get; }
        Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext ctx, CancellationToken ct);
    }

    [JsonSourceGenerationOptions(WriteIndented = true)]
    [JsonSerializable(typeof(List<BenchmarkResult>))]
    internal sealed partial class BenchmarkJson : JsonSerializerContext;
}
