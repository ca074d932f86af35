using System.Text.Json.Nodes;
using Payments.Core.Protocol;
using Payments.StandIns.Gsp;

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
        var toCancel = await PrepareAsync(host, n, async _ => { var id = GspRequests.NewId("G"); await Ok(host, RouteOf(ProtocolMethods.GenerateReferenceNumberV2), GspRequests.GenerateV2(id)); return id; });
        var toPay = await PrepareAsync(host, n, async _ =>
        {
            var answer = await Ok(host, RouteOf(ProtocolMethods.GenerateReferenceNumberV1), GspRequests.GenerateV1(GspRequests.NewId("G")));
            return NumberIn(answer);
        });
        var toRefund = await PrepareAsync(host, n, _ => PaidAsync(host));
        var toRelease = await PrepareAsync(host, n, async _ => { var id = GspRequests.NewId("F"); await Ok(host, RouteOf(ProtocolMethods.ReserveFundsV1), GspRequests.ReserveFundsV1(id)); return id; });
        var mandates = await PrepareAsync(host, n, async _ => { var id = GspRequests.NewId("MD"); await Ok(host, RouteOf(ProtocolMethods.CreateMandateV1), GspRequests.CreateMandateV1(id)); return id; });
        var toCapture = await PrepareAsync(host, n, _ => ReservedAsync(host));
        var redirectCaptures = await PrepareAsync(host, n, async _ => await CapturedAsync(host, await ReservedAsync(host)));
        var walletCaptures = await PrepareAsync(host, n, _ => ChargedAsync(host));
        var chargeMandates = await PrepareAsync(host, n, _ => ChargeableMandateAsync(host));
        var served = new List<JsonObject>();
        var toCancelV1 = await PrepareAsync(host, n, async _ =>
            NumberIn(await Ok(host, RouteOf(ProtocolMethods.GenerateReferenceNumberV1), GspRequests.GenerateV1(GspRequests.NewId("G")))));
        var toRefundV2 = await PrepareAsync(host, n, _ => PaidV2Async(host));

        Case[] cases =
        [
            new("echo.v1", RouteOf(ProtocolMethods.EchoRorpcV1), _ => GspRequests.EchoV1()),
            new("echo.v2", RouteOf(ProtocolMethods.EchoRorpcV2), _ => GspRequests.EchoV2()),
            new("generateReferenceNumber.v1", RouteOf(ProtocolMethods.GenerateReferenceNumberV1), _ => GspRequests.GenerateV1(GspRequests.NewId("G"))),
            new("generateReferenceNumber.v2", RouteOf(ProtocolMethods.GenerateReferenceNumberV2), _ => GspRequests.GenerateV2(GspRequests.NewId("G"))),
            new("cancelReferenceNumber.v2", RouteOf(ProtocolMethods.CancelReferenceNumberV2), i => GspRequests.CancelReferenceNumberV2(toCancel[i])),
            new("asynchronousRefund.v1", RouteOf(ProtocolMethods.AsynchronousRefundV1), i => Keep(served, GspRequests.RefundV1(toRefund[i], 1_000_000))),
            new("reserveFunds.v1", RouteOf(ProtocolMethods.ReserveFundsV1), _ => GspRequests.ReserveFundsV1(GspRequests.NewId("F"))),
            new("cancelFundsReservation.v1", RouteOf(ProtocolMethods.CancelFundsReservationV1), i => GspRequests.CancelFundsReservationV1(toRelease[i])),
            new("createMandate.v1", RouteOf(ProtocolMethods.CreateMandateV1), _ => GspRequests.CreateMandateV1(GspRequests.NewId("MD"))),
            new("cancelMandate.v1", RouteOf(ProtocolMethods.CancelMandateV1), i => GspRequests.CancelMandateV1(mandates[i])),
            new("reportPayment.internal", "", i => GspRequests.StorePayment("STORE-X" + i), Internal: true),
            new("captureFundsReservation.v1", RouteOf(ProtocolMethods.CaptureFundsReservationV1), i => GspRequests.CaptureFundsReservationV1(toCapture[i])),
            new("refund.redirect.v1", RouteOf(ProtocolMethods.RefundRedirectV1), i => GspRequests.RefundSyncV1(redirectCaptures[i], 1_000_000)),
            new("capture.ewallets.token.v1", RouteOf(ProtocolMethods.CaptureEWalletsV1), _ => GspRequests.CaptureV1()),
            new("capture.ewallets.mandate.v1", RouteOf(ProtocolMethods.CaptureEWalletsV1), i => GspRequests.CaptureV1(mandateId: chargeMandates[i])),
            new("refund.ewallets.v1", RouteOf(ProtocolMethods.RefundEWalletsV1), i => GspRequests.RefundSyncV1(walletCaptures[i], 1_000_000, piaid: GspRequests.InrWallet)),
            new("replay.asynchronousRefund", RouteOf(ProtocolMethods.AsynchronousRefundV1), i => GspRequests.Refreshed(served[i])),
            new("cancelReferenceNumber.v1", RouteOf(ProtocolMethods.CancelReferenceNumberV1), i => GspRequests.CancelReferenceNumberV1(toCancelV1[i])),
            new("asynchronousRefund.v2", RouteOf(ProtocolMethods.AsynchronousRefundV2), i => GspRequests.RefundV2(toRefundV2[i], 1_000_000)),
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
                var path = c.Internal ? PaymentRoute(toPay[i]) : c.Path;
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
        await Ok(host, RouteOf(ProtocolMethods.EchoRorpcV1), GspRequests.EchoV1());
        await Ok(host, RouteOf(ProtocolMethods.EchoRorpcV2), GspRequests.EchoV2());
        var generated = GspRequests.NewId("G");
        await Ok(host, RouteOf(ProtocolMethods.GenerateReferenceNumberV2), GspRequests.GenerateV2(generated));
        await Ok(host, RouteOf(ProtocolMethods.CancelReferenceNumberV2), GspRequests.CancelReferenceNumberV2(generated));
        var paid = await PaidAsync(host);
        var refund = GspRequests.RefundV1(paid, 1_000_000);
        await Ok(host, RouteOf(ProtocolMethods.AsynchronousRefundV1), refund);
        await Ok(host, RouteOf(ProtocolMethods.AsynchronousRefundV1), GspRequests.Refreshed(refund));
        var reserved = GspRequests.NewId("F");
        await Ok(host, RouteOf(ProtocolMethods.ReserveFundsV1), GspRequests.ReserveFundsV1(reserved));
        await Ok(host, RouteOf(ProtocolMethods.CancelFundsReservationV1), GspRequests.CancelFundsReservationV1(reserved));
        var mandate = GspRequests.NewId("MD");
        await Ok(host, RouteOf(ProtocolMethods.CreateMandateV1), GspRequests.CreateMandateV1(mandate));
        await Ok(host, RouteOf(ProtocolMethods.CancelMandateV1), GspRequests.CancelMandateV1(mandate));
        var numberV1 = NumberIn(await Ok(host, RouteOf(ProtocolMethods.GenerateReferenceNumberV1), GspRequests.GenerateV1(GspRequests.NewId("G"))));
        await Ok(host, RouteOf(ProtocolMethods.CancelReferenceNumberV1), GspRequests.CancelReferenceNumberV1(numberV1));
        await Ok(host, RouteOf(ProtocolMethods.AsynchronousRefundV2), GspRequests.RefundV2(await PaidV2Async(host), 1_000_000));
        await Ok(host, RouteOf(ProtocolMethods.RefundRedirectV1), GspRequests.RefundSyncV1(await CapturedAsync(host, await ReservedAsync(host)), 1_000_000));
        await Ok(host, RouteOf(ProtocolMethods.RefundEWalletsV1), GspRequests.RefundSyncV1(await ChargedAsync(host), 1_000_000, piaid: GspRequests.InrWallet));
        await Ok(host, RouteOf(ProtocolMethods.CaptureEWalletsV1), GspRequests.CaptureV1(mandateId: await ChargeableMandateAsync(host)));
    }

    /// <returns>the reserveFunds requestId of a new reservation (1500 INR)</returns>
    private static async Task<string> ReservedAsync(BenchmarkHost host)
    {
        var id = GspRequests.NewId("F");
        await Ok(host, RouteOf(ProtocolMethods.ReserveFundsV1), GspRequests.ReserveFundsV1(id));
        return id;
    }

    /// <returns>the captureFundsReservation requestId of the whole reservation's capture</returns>
    private static async Task<string> CapturedAsync(BenchmarkHost host, string reserveId)
    {
        var id = GspRequests.NewId("P");
        await Ok(host, RouteOf(ProtocolMethods.CaptureFundsReservationV1), GspRequests.CaptureFundsReservationV1(reserveId, id: id));
        return id;
    }

    /// <returns>the requestId of an e-wallets capture with a token</returns>
    private static async Task<string> ChargedAsync(BenchmarkHost host)
    {
        var id = GspRequests.NewId("W");
        await Ok(host, RouteOf(ProtocolMethods.CaptureEWalletsV1), GspRequests.CaptureV1(id: id));
        return id;
    }

    /// <returns>the mandateId of a mandate without a frequency limit</returns>
    private static async Task<string> ChargeableMandateAsync(BenchmarkHost host)
    {
        var id = GspRequests.NewId("MD");
        var create = GspRequests.CreateMandateV1(id);
        create.Remove("frequency");
        await Ok(host, RouteOf(ProtocolMethods.CreateMandateV1), create);
        return id;
    }

    /// <summary>A reference number of 10 units, paid at the store: what a refund acts on.</summary>
    /// <returns>the requestId of its generateReferenceNumber call</returns>
    private static async Task<string> PaidAsync(BenchmarkHost host)
    {
        var id = GspRequests.NewId("G");
        var answer = await Ok(host, RouteOf(ProtocolMethods.GenerateReferenceNumberV1), GspRequests.GenerateV1(id, 10_000_000));
        await Ok(host, PaymentRoute(NumberIn(answer)), GspRequests.StorePayment("STORE-" + id), internalKey: true);
        return id;
    }

    /// <summary>A v2 reference number of 10 units, paid at the store: what a v2 refund acts on.</summary>
    /// <returns>the requestId of its generateReferenceNumber call (the refund's transactionId)</returns>
    private static async Task<string> PaidV2Async(BenchmarkHost host)
    {
        var id = GspRequests.NewId("G");
        var answer = await Ok(host, RouteOf(ProtocolMethods.GenerateReferenceNumberV2), GspRequests.GenerateV2(id, 10_000_000));
        await Ok(host, PaymentRoute(GspRequests.ReferenceNumberOf(answer)!), GspRequests.StorePayment("STORE-" + id), internalKey: true);
        return id;
    }

    /// <summary>The reference number a generateReferenceNumber answer carries.</summary>
    private static string NumberIn(JsonNode answer) =>
        answer["displayableReferenceNumber"]!["barcodeWithPrintableString"]!["printableString"]!.GetValue<string>();

    private static string RouteOf(ProtocolMethod method) => "/" + method.Route;

    /// <summary>The internal route that reports a reference number paid.</summary>
    private static string PaymentRoute(string referenceNumber) => $"/internal/reference-numbers/{referenceNumber}/payment";

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
