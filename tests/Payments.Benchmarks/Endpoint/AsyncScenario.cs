using System.Collections.Concurrent;
using System.Diagnostics;
using Payments.Core.Transactions;
using Payments.StandIns.Gsp;
using Payments.Core.Idempotency;

namespace Payments.Benchmarks.Endpoint;

/// <summary>
/// Asynchronous refunds end to end with the pumps' default settings (host.json) and the finishing
/// defaults: from the moment the caller holds the acknowledgement to the moment Google's stand-in
/// accepted the refundResultNotification. Refunds are sent open-loop at a steady rate.
/// </summary>
public sealed class AsyncScenario : IBenchmarkScenario
{
    public string Name => "async";
    private const double RatePerSecond = 25;

    public async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext ctx, CancellationToken ct)
    {
        // Its own Azurite: work the other scenarios left queued (their hosts run no pumps) must not
        // be drained inside this measurement.
        await using var azurite = await Payments.StandIns.Azurite.AzuriteProcess.StartAsync(ct);
        await using var host = await BenchmarkHost.StartAsync(azurite, runFinishing: true);
        var received = new ConcurrentDictionary<string, long>();
        host.Google.Accepted += n => received.TryAdd(n.RequestId, Stopwatch.GetTimestamp());

        // Paid reference numbers to refund (a few partial refunds each).
        var targets = new List<string>();
        for (var i = 0; i < Math.Max(1, ctx.Iterations / 10); i++)
        {
            var id = GspRequests.NewId("G");
            var generated = await host.PostAsync("/refundable-one-time-payment-code-v1/generateReferenceNumber", GspRequests.GenerateV1(id, 1_000_000_000).ToJsonString());
            var number = generated.Body!["displayableReferenceNumber"]!["barcodeWithPrintableString"]!["printableString"]!.GetValue<string>();
            await host.PostAsync($"/internal/reference-numbers/{number}/payment", GspRequests.StorePayment("STORE-" + id).ToJsonString(), internalKey: true);
            targets.Add(id);
        }
        await Task.Delay(TimeSpan.FromSeconds(2), ct); // let the paid notifications settle

        var acknowledged = new ConcurrentDictionary<string, long>();
        var opsBefore = host.RoundTrips.Total;
        var wall = Stopwatch.StartNew();
        var sends = new List<Task>();
        for (var i = 0; i < ctx.Iterations; i++)
        {
            var due = TimeSpan.FromSeconds(i / RatePerSecond) - wall.Elapsed;
            if (due > TimeSpan.Zero) await Task.Delay(due, ct);
            var target = targets[i % targets.Count];
            sends.Add(Task.Run(async () =>
            {
                var request = GspRequests.RefundV1(target, 1_000);
                var answer = await host.PostAsync("/refundable-one-time-payment-code-v1/asynchronousRefund", request.ToJsonString());
                if (answer.Status != 200) throw new InvalidOperationException($"refund: {answer.Status} {answer.Body?.ToJsonString()}");
                var refundId = request["requestHeader"]!["requestId"]!.GetValue<string>();
                var notificationId = Operations.NotificationRequestId(Keys.ReferenceNumberPartition(GspRequests.Usd, target), Keys.OperationRow(refundId));
                acknowledged[notificationId] = Stopwatch.GetTimestamp();
            }, ct));
        }
        await Task.WhenAll(sends);
        var deadline = Stopwatch.StartNew();
        while (acknowledged.Keys.Any(k => !received.ContainsKey(k)) && deadline.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(20, ct);
        wall.Stop();

        var latency = new LatencyRecorder();
        var missing = 0;
        foreach (var (id, ackAt) in acknowledged)
        {
            if (received.TryGetValue(id, out var at)) latency.Add(Stopwatch.GetElapsedTime(ackAt, Math.Max(at, ackAt)));
            else missing++;
        }
        if (missing > 0) Console.Error.WriteLine($"async: {missing} notifications not received within 60 s");
        var result = latency.ToResult("async.refund-to-notification", (double)(host.RoundTrips.Total - opsBefore) / ctx.Iterations, null)
            with { Rps = ctx.Iterations / wall.Elapsed.TotalSeconds };
        return [result];
    }
}
