using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Payments.Benchmarks.Endpoint;
using Payments.Core.Idempotency;
using Payments.Core.Journal;
using Payments.Core.Settlement;
using Payments.StandIns.Google;
using Payments.StandIns.Gsp;

namespace Payments.Benchmarks.Settlement;

/// <summary>
/// A statement of 10,000 and one of 100,000 events, served by Google's stand-in in pages of 1000, reconciled end to
/// end on the local host's statement worker and accepted: from the notification to the stand-in's acceptance. The
/// journal is seeded directly (movement records and lookup rows, in batches). Reports events/s, the elapsed time,
/// storage round trips per event and the process's extra working set at its peak over the baseline taken just
/// before the notification (the benchmark process is the worker).
/// </summary>
public sealed class SettlementScenario : IBenchmarkScenario
{
    public string Name => "settlement";
    private static readonly int[] Sizes = [10_000, 100_000];

    public async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext ctx, CancellationToken ct)
    {
        await using var azurite = await Payments.StandIns.Azurite.AzuriteProcess.StartAsync(ct);
        var accounts = Sizes.Select(n => $"BENCH_{n}").ToArray();
        await using var host = await BenchmarkHost.StartAsync(azurite, runFinishing: true,
            new Dictionary<string, string?> { ["Payments:AccountIds"] = string.Join(",", accounts.Append(GspRequests.Usd)) });
        var results = new List<BenchmarkResult>();
        foreach (var (size, piaid) in Sizes.Zip(accounts))
            results.Add(await RunOneAsync(host, piaid, size, ct));
        return results;
    }

    private static async Task<BenchmarkResult> RunOneAsync(BenchmarkHost host, string piaid, int size, CancellationToken ct)
    {
        var periodStart = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds());
        var movements = await SeedAsync(host, piaid, size, ct);
        var statement = new StatementRef(piaid, GspRequests.NewId("ST"), "refundable-one-time-payment-code-v1");
        var events = StatementBuilder.EventsFrom(statement, movements, _ => -1_000);
        var summary = StatementBuilder.SummaryOf(statement, events, "USD", periodStart);
        host.Google.AddStatement(statement, summary, events);
        movements = [];

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var baseline = process.WorkingSet64;
        var peak = baseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                try { await Task.Delay(50, sampling.Token); } catch (OperationCanceledException) { }
            }
        }, CancellationToken.None);

        var opsBefore = host.RoundTrips.Total;
        var wall = Stopwatch.StartNew();
        var answer = await host.PostAsync("/refundable-one-time-payment-code-v1/remittanceStatementNotification",
            GspRequests.RemittanceStatementNotificationV1(statement.StatementId, piaid, summary.BillingPeriodStart, summary.BillingPeriodEnd, summary.TotalDueByIntegratorMicros).ToJsonString());
        if (answer.Status != 200) throw new InvalidOperationException($"notification: {answer.Status} {answer.Body?.ToJsonString()}");
        var deadline = TimeSpan.FromMinutes(15);
        var store = host.Services.GetRequiredService<TransactionStore>();
        var partition = StatementKeys.Partition(piaid, statement.StatementId);
        var nextLook = TimeSpan.FromSeconds(30);
        while (host.Google.AcceptedBy(piaid, statement.StatementId) is null)
        {
            if (wall.Elapsed > deadline) throw new TimeoutException($"settlement {size}: not accepted within {deadline}");
            if (wall.Elapsed > nextLook)
            {
                // Progress, and a parked statement ends the wait (counted in the round trips: one read per 30 s).
                nextLook += TimeSpan.FromSeconds(30);
                var state = (await store.Transactions.GetEntityAsync<TableEntity>(partition, StatementKeys.StateRow(partition), cancellationToken: ct)).Value;
                Console.Error.WriteLine($"settlement {size}: {wall.Elapsed.TotalSeconds:0} s, {state.GetInt64("EventsCounted")} events counted, {state.GetString("State")}");
                if (state.GetString("State") == StatementStates.NeedsAttention) throw new InvalidOperationException($"settlement {size}: parked: {state.GetString("Reason")}");
            }
            await Task.Delay(20, ct);
        }
        wall.Stop();
        var ops = host.RoundTrips.Total - opsBefore;
        await sampling.CancelAsync();
        await sampler;
        var row = await store.Transactions.GetEntityAsync<TableEntity>(partition, StatementKeys.StateRow(partition), cancellationToken: ct);
        var counted = row.Value.GetInt64("EventsCounted");
        var extraMb = (peak - baseline) / (1024.0 * 1024.0);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"settlement {size}: {counted} events counted, state {row.Value.GetString("State")}, {wall.Elapsed.TotalSeconds:0.0} s, {size / wall.Elapsed.TotalSeconds:0} events/s, {(double)ops / size:0.00} storage round trips per event, peak working set +{extraMb:0} MB over {baseline / (1024.0 * 1024.0):0} MB"));
        var ms = wall.Elapsed.TotalMilliseconds;
        return new BenchmarkResult($"settlement.{size}", size, size / wall.Elapsed.TotalSeconds, ms, ms, ms, (double)ops / size, null);
    }

    /// <summary>Movements of the account as the money-moving commits leave them (a record in a transaction partition,
    /// two lookup rows in table journal), written in batches of 100: the benchmark measures reconciliation, not this.</summary>
    private static async Task<List<MoneyMovement>> SeedAsync(BenchmarkHost host, string piaid, int size, CancellationToken ct)
    {
        var store = host.Services.GetRequiredService<TransactionStore>();
        var at = DateTimeOffset.UtcNow;
        var movements = Enumerable.Range(0, size).Select(i =>
        {
            var id = $"BENCH{i:D7}{Guid.NewGuid():N}"[..28];
            var refund = i % 10 == 9;
            return new MoneyMovement(piaid, id, "PI-" + id, refund ? MoneyMovementKind.Refund : MoneyMovementKind.Capture, 1_000_000 + i, "USD",
                at.AddTicks(i), "refundable-one-time-payment-code-v1", $"{piaid}|bench|{i / 100}");
        }).ToList();
        await Parallel.ForEachAsync(movements.Chunk(100), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (chunk, token) =>
        {
            await store.Transactions.SubmitTransactionAsync(chunk.Select(m => new TableTransactionAction(TableTransactionActionType.Add, MoneyMovementRow.ToEntity(m))), token);
            foreach (var half in chunk.Chunk(50))
                await store.Journal.SubmitTransactionAsync(half.SelectMany(m => new[]
                {
                    new TableTransactionAction(TableTransactionActionType.UpsertReplace, JournalRows.Event(m)),
                    new TableTransactionAction(TableTransactionActionType.UpsertReplace, JournalRows.Time(m)),
                }), token);
        });
        return movements;
    }
}
