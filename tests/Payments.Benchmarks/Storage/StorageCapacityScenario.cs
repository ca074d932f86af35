using Azure;
using Azure.Data.Tables;
using System.Diagnostics;
using Payments.Core.Storage;

namespace Payments.Benchmarks.Storage;

/// <summary>
/// How many table requests a second Azurite's table service answers on this machine when it is never idle
/// (closed loop, <see cref="Concurrency"/> requests at once, our client), and the CPU each costs it. Azurite
/// serves every request on one JavaScript thread, and most of that cost is the same whatever the request
/// (HTTP parsing, routing, Shared Key check, serialization), so this is the ceiling that every protocol call
/// (2–5 table requests, <c>docs/storage.md</c>) and the finishing workers share. Reported: point reads of
/// existing entities, inserts of new ones, and single-partition batches of two (a state merge and a ledger
/// insert, as a commit).
/// </summary>
public sealed class StorageCapacityScenario : IBenchmarkScenario
{
    private const int Concurrency = 16;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Measured = TimeSpan.FromSeconds(10);
    private const int Partitions = 2_000;
    /// <summary>About the size of a stored response.</summary>
    private static readonly string Payload = new('x', 300);

    public string Name => "storage-capacity";

    public async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext ctx, CancellationToken ct)
    {
        var tables = StorageClients.CreateTableServiceClient(StorageConnection.Parse(ctx.Azurite.ConnectionString));
        var table = tables.GetTableClient("capacity" + Guid.NewGuid().ToString("N")[..8]);
        await table.CreateIfNotExistsAsync(ct);
        var tableProcess = Process.GetProcessById(ctx.Azurite.ProcessIds[0]);

        // Entities keyed like ours (a partition per transaction, a row key unique across partitions).
        static string Pk(int i) => $"PIAID|rn|{i:x8}";
        static string Rk(int i) => $"state|{i:x16}";
        TableEntity State(int i) => new(Pk(i), Rk(i)) { ["Status"] = "Active", ["AmountMicros"] = 1_000_000L * i, ["Currency"] = "USD", ["Version"] = 1 };
        for (var i = 0; i < Partitions; i += 100)
            await Task.WhenAll(Enumerable.Range(i, 100).Select(p => table.UpsertAsync(State(p), cancellationToken: ct)));

        var next = 0;
        return
        [
            await MeasureAsync("capacity.get", tableProcess, c =>
            {
                var i = Random.Shared.Next(Partitions);
                return table.GetOrNullAsync(Pk(i), Rk(i), cancellationToken: c);
            }, ct),
            await MeasureAsync("capacity.insert", tableProcess, c =>
            {
                var id = Interlocked.Increment(ref next);
                return table.InsertAsync(new TableEntity("ins|" + id, "req|" + id) { ["Payload"] = Payload }, c);
            }, ct),
            await MeasureAsync("capacity.batch2", tableProcess, c =>
            {
                var id = Interlocked.Increment(ref next);
                return table.SubmitAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("bat|" + id, "state|" + id) { ["Status"] = "Active" }),
                    new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("bat|" + id, "req|" + id) { ["Payload"] = Payload }),
                ], c);
            }, ct),
        ];
    }

    private static async Task<BenchmarkResult> MeasureAsync(string scenario, Process tableProcess, Func<CancellationToken, Task> call, CancellationToken ct)
    {
        var recorder = new LatencyRecorder();
        var measuring = false;
        var stop = Stopwatch.StartNew();
        var total = WarmUp + Measured;
        async Task LoopAsync()
        {
            while (stop.Elapsed < total)
            {
                var start = Stopwatch.GetTimestamp();
                await call(ct);
                if (Volatile.Read(ref measuring) && stop.Elapsed < total) recorder.Add(Stopwatch.GetElapsedTime(start));
            }
        }
        var loops = Enumerable.Range(0, Concurrency).Select(_ => Task.Run(LoopAsync, ct)).ToArray();
        await Task.Delay(WarmUp, ct);
        tableProcess.Refresh();
        var cpuAtStart = tableProcess.TotalProcessorTime;
        Volatile.Write(ref measuring, true);
        recorder.StartWall();
        await Task.Delay(Measured, ct);
        recorder.StopWall();
        tableProcess.Refresh();
        var cpu = tableProcess.TotalProcessorTime - cpuAtStart;
        await Task.WhenAll(loops);
        var result = recorder.ToResult(scenario, 1, null);
        Console.Error.WriteLine(System.FormattableString.Invariant(
            $"  {scenario}: {result.Rps:0} requests/s with {Concurrency} at once; Azurite's table process used {cpu.TotalSeconds / Measured.TotalSeconds:P0} of a core, {cpu.TotalMilliseconds / Math.Max(1, result.Requests):0.00} ms CPU per request"));
        return result;
    }
}
