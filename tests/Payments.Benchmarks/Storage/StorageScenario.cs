using Azure;
using Azure.Data.Tables;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Azure.Storage.Queues.Models;
using Payments.Core.Storage;
using Payments.StandIns.Azurite;

namespace Payments.Benchmarks.Storage;

/// <summary>The SDK clients as the app builds them (with <see cref="TableCalls"/>' checks) against the same
/// requests hand-built on a bare signed HttpClient, to the same Azurite in the same run: one request at a time,
/// alternating which side goes first, after a warm-up that lasts until the JIT is quiet (<see cref="JitWarmup"/>). Each operation is reported as its own scenario with the
/// bare HttpClient p50 as its baseline; the client CPU time and the bytes allocated per call of each side are
/// printed beside it (Environment.CpuUsage and GC.GetTotalAllocatedBytes deltas around each timed call).</summary>
public sealed class StorageScenario : IBenchmarkScenario
{
    public string Name => "storage";

    /// <summary>One operation: the timed calls of both sides, and per side an untimed step before and after
    /// each call (the queue get puts its message first and deletes it after, so the queue stays small).</summary>
    private sealed record Operation(string Scenario, Func<int, CancellationToken, Task<object?>> Ours, Func<int, CancellationToken, Task<object?>> Bare)
    {
        public Func<CancellationToken, Task>? BeforeOurs { get; init; }
        public Func<CancellationToken, Task>? BeforeBare { get; init; }
        public Func<object?, CancellationToken, Task>? AfterOurs { get; init; }
        public Func<object?, CancellationToken, Task>? AfterBare { get; init; }
    }

    /// <summary>The SDK clients' round trips (the bare client sends exactly one per call).</summary>
    private static readonly StorageRoundTrips RoundTrips = new();

    private static Func<int, CancellationToken, Task<object?>> Timed(Func<int, CancellationToken, Task> call) =>
        async (i, c) => { await call(i, c); return null; };

    public async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext ctx, CancellationToken ct)
    {
        var azurite = ctx.Azurite;
        var n = ctx.Iterations;
        var connection = StorageConnection.Parse(azurite.ConnectionString);
        var tables = StorageClients.CreateTableServiceClient(connection, roundTrips: RoundTrips);
        var queues = StorageClients.CreateQueueServiceClient(connection, roundTrips: RoundTrips);
        using var bare = new BareStorageClient(AzuriteProcess.AccountName, AzuriteProcess.AccountKey, azurite.TableEndpoint, azurite.QueueEndpoint);

        var run = Guid.NewGuid().ToString("N")[..8];
        var table = tables.GetTableClient("bench" + run);
        await table.CreateIfNotExistsAsync(ct);
        var tableName = table.Name;

        var when = DateTimeOffset.UtcNow;
        TableEntity Entity(string pk, string rk) => new(pk, rk)
        {
            ["Status"] = "PENDING",
            ["AmountMicros"] = 1_234_560_000L,
            ["Currency"] = "USD",
            ["Attempts"] = 1,
            ["CreatedAt"] = when,
            ["Final"] = false,
        };
        var whenText = when.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        string BareJson(string pk, string rk) =>
            $"{{\"PartitionKey\":\"{pk}\",\"RowKey\":\"{rk}\",\"Status\":\"PENDING\",\"AmountMicros@odata.type\":\"Edm.Int64\",\"AmountMicros\":\"1234560000\"," +
            $"\"Currency\":\"USD\",\"Attempts\":1,\"CreatedAt@odata.type\":\"Edm.DateTime\",\"CreatedAt\":\"{whenText}\",\"Final\":false}}";

        await table.InsertAsync(Entity("get", "one"), ct);

        var ourQueue = queues.GetQueueClient("bench-ours-" + run);
        var bareQueue = queues.GetQueueClient("bench-bare-" + run);
        var putQueue = queues.GetQueueClient("bench-put-" + run);
        await ourQueue.CreateIfNotExistsAsync(cancellationToken: ct);
        await bareQueue.CreateIfNotExistsAsync(cancellationToken: ct);
        await putQueue.CreateIfNotExistsAsync(cancellationToken: ct);
        var message = "{\"paymentIntegratorAccountId\":\"InvisiCashUSA_USD\",\"requestId\":\"" + Guid.NewGuid() + "\"}";
        var messageBase64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(message));

        // n entities in one partition of their own per call.
        Operation Batch(int entities) => new("storage.batch" + entities,
            Timed((i, c) => table.SubmitAsync(
                Enumerable.Range(0, entities).Select(r => new TableTransactionAction(TableTransactionActionType.Add, Entity($"b{entities}o{i}", "r" + r))).ToList(), c)),
            Timed((i, c) =>
            {
                var (body, boundary) = BareBatch(bare.TableBase + tableName, $"b{entities}b{i}", entities, BareJson);
                return bare.BatchAsync(body, boundary, c);
            }));

        Operation[] operations =
        [
            new("storage.get",
                Timed(async (_, c) => { if (await table.GetOrNullAsync("get", "one", cancellationToken: c) is null) throw new InvalidOperationException("missing"); }),
                Timed(async (_, c) => await bare.GetEntityAsync(tableName, "get", "one", c))),
            new("storage.insert",
                Timed((i, c) => table.InsertAsync(Entity("ins", "o" + i), c)),
                Timed((i, c) => bare.InsertAsync(tableName, Encoding.UTF8.GetBytes(BareJson("ins", "b" + i)), c))),
            Batch(2), // the commit's shape: a state and a ledger entry
            Batch(10),
            new("storage.queue-get",
                async (_, c) => (await ourQueue.ReceiveMessagesAsync(1, TimeSpan.FromMinutes(5), c)).Value.Single(),
                async (_, c) => await bare.GetMessagesAsync(bareQueue.Name, 1, 300, c))
            {
                BeforeOurs = c => ourQueue.SendMessageAsync(message, c),
                BeforeBare = c => bareQueue.SendMessageAsync(message, c),
                AfterOurs = (m, c) => ourQueue.DeleteMessageAsync(((QueueMessage)m!).MessageId, ((QueueMessage)m!).PopReceipt, c),
                AfterBare = (xml, c) =>
                {
                    var text = Encoding.UTF8.GetString((byte[])xml!);
                    var id = Regex.Match(text, "<MessageId>([^<]+)</MessageId>").Groups[1].Value;
                    var receipt = Regex.Match(text, "<PopReceipt>([^<]+)</PopReceipt>").Groups[1].Value;
                    return bareQueue.DeleteMessageAsync(id, receipt, c);
                },
            },
            new("storage.queue-put",
                Timed((_, c) => putQueue.SendMessageAsync(message, c)),
                Timed((_, c) => bare.PutMessageAsync(putQueue.Name, messageBase64, c))),
        ];
        var only = Environment.GetEnvironmentVariable("STORAGE_BENCH_OPS")?.Split(',');
        if (only is not null) operations = operations.Where(o => only.Any(x => o.Scenario.EndsWith(x, StringComparison.Ordinal))).ToArray();

        var warm = await JitWarmup.RunAsync(async (i, c) =>
        {
            foreach (var op in operations)
            {
                await RunOneAsync(op, ours: true, i, null, null, c);
                await RunOneAsync(op, ours: false, i, null, null, c);
            }
        }, ct);
        Console.Error.WriteLine("  " + warm);

        var results = new List<BenchmarkResult>();
        foreach (var op in operations)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var ours = new LatencyRecorder();
            var baseline = new LatencyRecorder();
            var ourCost = new Cost();
            var bareCost = new Cost();
            long ourOps = 0;
            for (var i = 0; i < n; i++)
            {
                // alternate who goes first so neither side always meets a warmer server
                if (i % 2 == 0)
                {
                    ourOps += await RunOneAsync(op, ours: true, i, ours, ourCost, ct);
                    await RunOneAsync(op, ours: false, i, baseline, bareCost, ct);
                }
                else
                {
                    await RunOneAsync(op, ours: false, i, baseline, bareCost, ct);
                    ourOps += await RunOneAsync(op, ours: true, i, ours, ourCost, ct);
                }
            }
            var opsPerRequest = (double)ourOps / n;
            results.Add(ours.ToResult(op.Scenario, opsPerRequest, baseline.Percentile(50)));
            Console.Error.WriteLine(System.FormattableString.Invariant(
                $"  {op.Scenario}: SDK/bare p50 {ours.Percentile(50) / baseline.Percentile(50):0.00}; client CPU per call {ourCost.CpuMs / n:0.000} vs {bareCost.CpuMs / n:0.000} ms ({ourCost.CpuMs / Math.Max(bareCost.CpuMs, 1e-9):0.00}); allocated per call {ourCost.Bytes / 1024.0 / n:0.0} vs {bareCost.Bytes / 1024.0 / n:0.0} KiB"));
        }
        Console.Error.WriteLine("  " + warm.SinceThen());
        return results;
    }

    /// <returns>the storage requests our client sent for the timed call (0 for the bare side).</returns>
    private static async Task<long> RunOneAsync(Operation op, bool ours, int i, LatencyRecorder? recorder, Cost? cost, CancellationToken ct)
    {
        var before = ours ? op.BeforeOurs : op.BeforeBare;
        if (before is not null) await before(ct);
        var opsBefore = RoundTrips.Total;
        recorder?.StartWall();
        var cpu = Environment.CpuUsage.TotalTime;
        var bytes = GC.GetTotalAllocatedBytes(precise: false);
        var start = Stopwatch.GetTimestamp();
        var result = await (ours ? op.Ours : op.Bare)(i, ct);
        var elapsed = Stopwatch.GetElapsedTime(start);
        cost?.Add(Environment.CpuUsage.TotalTime - cpu, GC.GetTotalAllocatedBytes(precise: false) - bytes);
        recorder?.StopWall();
        recorder?.Add(elapsed);
        var sent = RoundTrips.Total - opsBefore;
        var after = ours ? op.AfterOurs : op.AfterBare;
        if (after is not null) await after(result, ct);
        return ours ? sent : 0;
    }

    /// <summary>Client CPU time and bytes allocated by one side's timed calls.</summary>
    private sealed class Cost
    {
        public double CpuMs { get; private set; }
        public long Bytes { get; private set; }
        public void Add(TimeSpan cpu, long bytes) { CpuMs += cpu.TotalMilliseconds; Bytes += bytes; }
    }

    private static (byte[] Body, string Boundary) BareBatch(string tableUrl, string pk, int entities, Func<string, string, string> json)
    {
        var boundary = "batch_" + Guid.NewGuid().ToString("N");
        var changeset = "changeset_" + Guid.NewGuid().ToString("N");
        var sb = new StringBuilder();
        sb.Append("--").Append(boundary).Append("\r\nContent-Type: multipart/mixed; boundary=").Append(changeset).Append("\r\n\r\n");
        for (var r = 0; r < entities; r++)
        {
            sb.Append("--").Append(changeset).Append("\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n");
            sb.Append("POST ").Append(tableUrl).Append(" HTTP/1.1\r\nAccept: application/json;odata=nometadata\r\nDataServiceVersion: 3.0;\r\n");
            sb.Append("Prefer: return-no-content\r\nContent-Type: application/json\r\n\r\n");
            sb.Append(json(pk, "r" + r)).Append("\r\n");
        }
        sb.Append("--").Append(changeset).Append("--\r\n\r\n--").Append(boundary).Append("--\r\n");
        return (Encoding.UTF8.GetBytes(sb.ToString()), boundary);
    }
}
