using System.Text.Json.Nodes;

namespace Payments.Benchmarks.Endpoint;

/// <summary>
/// Every protocol method over HTTP against the local host (plain JSON, pumps off), one call at a
/// time: latency seen by the caller, storage round trips per call, and — side by side, per call —
/// the time those round trips took (the baseline the handler's overhead is measured against).
/// Plus the replay path and the store-payment endpoint. Timed after a warm-up that lasts until the
/// JIT is quiet (<see cref="JitWarmup"/>).
/// </summary>
public sealed class EndpointScenario(bool pgp = false) : IBenchmarkScenario
{
    public string Name => pgp ? "endpoint-pgp" : "endpoint";

    private sealed record Case(string Name, string Path, Func<int, JsonObject> Request, bool Internal = false);

    public async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext ctx, CancellationToken ct)
    {
        await using var host = await BenchmarkHost.StartAsync(ctx.Azurite, runFinishing: false, pgp: pgp);
        var n = ctx.Iterations;

        // What the calls act on, made before the clock starts.
        var toCancel = await PrepareAsync(host, n, async _ => { var id = Requests.NewId("G"); await Ok(host, "/refundable-one-time-payment-code-v2/generateReferenceNumber", Requests.GenerateV2(id)); return id; });
        var toPay = await PrepareAsync(host, n, async _ =>
        {
            var answer = await Ok(host, "/refundable-one-time-payment-code-v1/generateReferenceNumber", Requests.GenerateV1(Requests.NewId("G")));
            return answer["displayableReferenceNumber"]!["barcodeWithPrintableString"]!["printableString"]!.GetValue<string>();
        });
        var toRefund = await PrepareAsync(host, n, async _ =>
        {
            var id = Requests.NewId("G");
            var answer = await Ok(host, "/refundable-one-time-payment-code-v1/generateReferenceNumber", Requests.GenerateV1(id, 10_000_000));
            var number = answer["displayableReferenceNumber"]!["barcodeWithPrintableString"]!["printableString"]!.GetValue<string>();
            await Ok(host, $"/internal/reference-numbers/{number}/payment", Requests.Payment("STORE-" + id), internalKey: true);
            return id;
        });
        var toRelease = await PrepareAsync(host, n, async _ => { var id = Requests.NewId("F"); await Ok(host, "/redirect-payment-token-v1/reserveFunds", Requests.Reserve(id)); return id; });
        var mandates = await PrepareAsync(host, n, async _ => { var id = Requests.NewId("MD"); await Ok(host, "/e-wallets-v1/createMandate", Requests.CreateMandate(id)); return id; });
        var served = new List<JsonObject>();

        Case[] cases =
        [
            new("echo.v1", "/refundable-one-time-payment-code-v1/echo", _ => Requests.Echo(1)),
            new("echo.v2", "/refundable-one-time-payment-code-v2/echo", _ => Requests.Echo(2)),
            new("generateReferenceNumber.v1", "/refundable-one-time-payment-code-v1/generateReferenceNumber", _ => Requests.GenerateV1(Requests.NewId("G"))),
            new("generateReferenceNumber.v2", "/refundable-one-time-payment-code-v2/generateReferenceNumber", _ => Requests.GenerateV2(Requests.NewId("G"))),
            new("cancelReferenceNumber.v2", "/refundable-one-time-payment-code-v2/cancelReferenceNumber", i => Requests.CancelV2(toCancel[i])),
            new("asynchronousRefund.v1", "/refundable-one-time-payment-code-v1/asynchronousRefund", i => Keep(served, Requests.Refund(toRefund[i], 1_000_000))),
            new("reserveFunds.v1", "/redirect-payment-token-v1/reserveFunds", _ => Requests.Reserve(Requests.NewId("F"))),
            new("cancelFundsReservation.v1", "/redirect-payment-token-v1/cancelFundsReservation", i => Requests.CancelReservation(toRelease[i])),
            new("createMandate.v1", "/e-wallets-v1/createMandate", _ => Requests.CreateMandate(Requests.NewId("MD"))),
            new("cancelMandate.v1", "/e-wallets-v1/cancelMandate", i => Requests.CancelMandate(mandates[i])),
            new("reportPayment.internal", "", i => Requests.Payment("STORE-X" + i), Internal: true),
            new("replay.asynchronousRefund", "/refundable-one-time-payment-code-v1/asynchronousRefund", i => Requests.Retry(served[i])),
        ];

        var only = Environment.GetEnvironmentVariable("ENDPOINT_BENCH_CASES")?.Split(',');
        if (only is not null) cases = cases.Where(c => only.Contains(c.Name)).ToArray();

        var warm = await JitWarmup.RunAsync((_, _) => EveryPathOnceAsync(host), ct);
        Console.Error.WriteLine("  " + warm);

        var results = new List<BenchmarkResult>();
        foreach (var c in cases)
        {
            var latency = new LatencyRecorder();
            var storage = new LatencyRecorder();
            long ops = 0;
            var cpu = Environment.CpuUsage.TotalTime;
            latency.StartWall();
            for (var i = 0; i < n; i++)
            {
                var path = c.Internal ? $"/internal/reference-numbers/{toPay[i]}/payment" : c.Path;
                var answer = await host.PostAsync(path, c.Request(i).ToJsonString(), c.Internal);
                if (answer.Status != 200) throw new InvalidOperationException($"{c.Name}: {answer.Status} {answer.Body?.ToJsonString()}");
                latency.Add(answer.Elapsed);
                storage.Add(TimeSpan.FromMilliseconds(answer.StorageMs));
                ops += answer.StorageOps;
            }
            latency.StopWall();
            Console.Error.WriteLine(System.FormattableString.Invariant(
                $"  {c.Name}: CPU per call {(Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds / n:0.000} ms (this process: caller, host and storage client)"));
            results.Add(latency.ToResult((pgp ? "endpoint.pgp." : "endpoint.") + c.Name, (double)ops / n, storage.Percentile(50)));
        }
        Console.Error.WriteLine("  " + warm.SinceThen());
        return results;
    }

    /// <summary>One call of every case above, on objects of its own (the warm-up's round).</summary>
    private static async Task EveryPathOnceAsync(BenchmarkHost host)
    {
        await Ok(host, "/refundable-one-time-payment-code-v1/echo", Requests.Echo(1));
        await Ok(host, "/refundable-one-time-payment-code-v2/echo", Requests.Echo(2));
        var generated = Requests.NewId("G");
        await Ok(host, "/refundable-one-time-payment-code-v2/generateReferenceNumber", Requests.GenerateV2(generated));
        await Ok(host, "/refundable-one-time-payment-code-v2/cancelReferenceNumber", Requests.CancelV2(generated));
        var paid = Requests.NewId("G");
        var answer = await Ok(host, "/refundable-one-time-payment-code-v1/generateReferenceNumber", Requests.GenerateV1(paid, 10_000_000));
        var number = answer["displayableReferenceNumber"]!["barcodeWithPrintableString"]!["printableString"]!.GetValue<string>();
        await Ok(host, $"/internal/reference-numbers/{number}/payment", Requests.Payment("STORE-" + paid), internalKey: true);
        var refund = Requests.Refund(paid, 1_000_000);
        await Ok(host, "/refundable-one-time-payment-code-v1/asynchronousRefund", refund);
        await Ok(host, "/refundable-one-time-payment-code-v1/asynchronousRefund", Requests.Retry(refund));
        var reserved = Requests.NewId("F");
        await Ok(host, "/redirect-payment-token-v1/reserveFunds", Requests.Reserve(reserved));
        await Ok(host, "/redirect-payment-token-v1/cancelFundsReservation", Requests.CancelReservation(reserved));
        var mandate = Requests.NewId("MD");
        await Ok(host, "/e-wallets-v1/createMandate", Requests.CreateMandate(mandate));
        await Ok(host, "/e-wallets-v1/cancelMandate", Requests.CancelMandate(mandate));
    }

    private static JsonObject Keep(List<JsonObject> list, JsonObject request)
    {
        list.Add(request);
        return request;
    }

    private static async Task<JsonNode> Ok(BenchmarkHost host, string path, JsonObject body, bool internalKey = false)
    {
        var answer = await host.PostAsync(path, body.ToJsonString(), internalKey);
        return answer.Status == 200 ? answer.Body! : throw new InvalidOperationException($"{path}: {answer.Status} {answer.Body?.ToJsonString()}");
    }

    private static async Task<List<string>> PrepareAsync(BenchmarkHost host, int n, Func<int, Task<string>> make)
    {
        var items = new string[n];
        await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) => items[i] = await make(i));
        return [.. items];
    }
}
