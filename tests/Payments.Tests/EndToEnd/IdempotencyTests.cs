using Azure.Data.Tables;
using Payments.Core.Storage;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Payments.Core.Protocol;
using Payments.Core.Transactions;
using Payments.StandIns.Gsp;
using Payments.Tests.TestSupport;
using Payments.Core.Idempotency;

namespace Payments.Tests.EndToEnd;

/// <summary>docs/protocol.md §5 and §9 invariants 1–3, 5 over HTTP.</summary>
[Trait("Category", Category.EndToEnd)]
public sealed class IdempotencyTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private LocalHostUnderTest Host => fixture.Host;

    public static TheoryData<string> Methods => new() { "generateV1", "generateV2", "cancelV2", "refund", "reserve", "cancelReservation", "createMandate", "cancelMandate", "cancelV1", "refundV2" };

    private async Task<(ProtocolMethod Method, JsonObject Request)> FirstCallAsync(string which) => which switch
    {
        "generateV1" => (ProtocolMethods.GenerateReferenceNumberV1, GspRequests.GenerateV1()),
        "generateV2" => (ProtocolMethods.GenerateReferenceNumberV2, GspRequests.GenerateV2()),
        "cancelV2" => await CancelV2Async(),
        "refund" => (ProtocolMethods.AsynchronousRefundV1, GspRequests.RefundV1((await Host.PaidReferenceNumberAsync(5_000_000)).GenerateRequestId, 1_000_000)),
        "reserve" => (ProtocolMethods.ReserveFundsV1, GspRequests.ReserveFundsV1()),
        "cancelReservation" => await CancelReservationAsync(),
        "createMandate" => (ProtocolMethods.CreateMandateV1, GspRequests.CreateMandateV1(GspRequests.NewId("MD"))),
        "cancelMandate" => await CancelMandateAsync(),
        "cancelV1" => await CancelV1Async(),
        "refundV2" => await RefundV2Async(),
        _ => throw new ArgumentException(which),
    };

    private async Task<(ProtocolMethod, JsonObject)> CancelV2Async()
    {
        var id = GspRequests.NewId("G");
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.GenerateReferenceNumberV2, GspRequests.GenerateV2(id))).Status);
        return (ProtocolMethods.CancelReferenceNumberV2, GspRequests.CancelReferenceNumberV2(id));
    }

    private async Task<(ProtocolMethod, JsonObject)> CancelReservationAsync()
    {
        var id = GspRequests.NewId("F");
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.ReserveFundsV1, GspRequests.ReserveFundsV1(id))).Status);
        return (ProtocolMethods.CancelFundsReservationV1, GspRequests.CancelFundsReservationV1(id));
    }

    private async Task<(ProtocolMethod, JsonObject)> CancelMandateAsync()
    {
        var id = GspRequests.NewId("MD");
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.CreateMandateV1, GspRequests.CreateMandateV1(id))).Status);
        return (ProtocolMethods.CancelMandateV1, GspRequests.CancelMandateV1(id));
    }

    private async Task<(ProtocolMethod, JsonObject)> CancelV1Async()
    {
        var (status, body, raw) = await Host.CallAsync(ProtocolMethods.GenerateReferenceNumberV1, GspRequests.GenerateV1());
        Assert.True(status == 200, raw);
        return (ProtocolMethods.CancelReferenceNumberV1, GspRequests.CancelReferenceNumberV1(GspRequests.ReferenceNumberOf(body)!));
    }

    private async Task<(ProtocolMethod, JsonObject)> RefundV2Async()
    {
        var id = GspRequests.NewId("G");
        var (_, body, _) = await Host.CallAsync(ProtocolMethods.GenerateReferenceNumberV2, GspRequests.GenerateV2(id, 5_000_000));
        Assert.Equal(200, (await Host.PayAsync(GspRequests.Usd, GspRequests.ReferenceNumberOf(body)!)).Status);
        return (ProtocolMethods.AsynchronousRefundV2, GspRequests.RefundV2(id, 1_000_000));
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task A_replay_is_identical_but_for_responseTimestamp(string which)
    {
        var (method, request) = await FirstCallAsync(which);
        var (status, first, raw) = await Host.CallAsync(method, request);
        Assert.True(status == 200, raw);
        await Task.Delay(5);
        // Google's retry: same body, a fresh requestTimestamp.
        var retry = request.DeepClone().AsObject();
        retry["requestHeader"]!["requestTimestamp"] = method.Style == HeaderStyle.V1 ? GspRequests.Now() : new JsonObject { ["epochMillis"] = GspRequests.Now() };
        var (replayStatus, replay, _) = await Host.CallAsync(method, retry);
        Assert.Equal(200, replayStatus);
        Assert.Equal(Calls.WithoutHeader(first!), Calls.WithoutHeader(replay!));
        Assert.True(Calls.ResponseMillis(replay!) >= Calls.ResponseMillis(first!));
    }

    [Fact]
    public async Task Concurrent_duplicates_and_replays_of_a_generate_leave_one_index_row_the_transactions_own()
    {
        var request = GspRequests.GenerateV1();
        var id = request["requestHeader"]!["requestId"]!.GetValue<string>();
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Host.CallAsync(ProtocolMethods.GenerateReferenceNumberV1, request.DeepClone().AsObject())));
        var replays = new List<(int Status, JsonNode? Body, string Raw)>();
        for (var i = 0; i < 3; i++) replays.Add(await Host.CallAsync(ProtocolMethods.GenerateReferenceNumberV1, request.DeepClone().AsObject()));
        var numbers = concurrent.Concat(replays).Select(a =>
        {
            Assert.True(a.Status == 200, a.Raw);
            return a.Body!["displayableReferenceNumber"]!["barcodeWithPrintableString"]!["printableString"]!.GetValue<string>();
        }).Distinct().ToList();
        var number = Assert.Single(numbers);

        // Every losing duplicate and every replay drew a number of its own and indexed it before its commit
        // conflicted; each gave it back.
        var store = Host.Services.GetRequiredService<TransactionStore>();
        var partition = Keys.ReferenceNumberPartition(GspRequests.Usd, id);
        var indexed = new List<string>();
        await foreach (var row in store.Requests.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey ge {"refnum|" + GspRequests.Usd + "|"} and PartitionKey lt {"refnum|" + GspRequests.Usd + "}"}") + " and " + ReferenceNumberIndexRow.AnchorFilter(partition)))
            indexed.Add(row.PartitionKey);
        Assert.Equal([Keys.ReferenceNumberIndexPartition(GspRequests.Usd, number)], indexed);
        Assert.Equal(number, ReferenceNumberRow.From((await store.Transactions.GetOrNullAsync(partition, Keys.StateRow(partition)))!).ReferenceNumber);
    }

    [Fact]
    public async Task Thirty_two_concurrent_identical_refunds_make_one_refund_and_identical_answers()
    {
        var (generateId, _) = await Host.PaidReferenceNumberAsync(10_000_000);
        var request = GspRequests.RefundV1(generateId, 4_000_000);
        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Host.CallAsync(ProtocolMethods.AsynchronousRefundV1, request)));
        // Our own concurrency may answer 409 (Google retries); never a second effect.
        Assert.All(results, r => Assert.True(r.Status is 200 or 409, r.Raw));
        var answers = results.Where(r => r.Status == 200).Select(r => Calls.WithoutHeader(r.Body!)).Distinct().ToList();
        Assert.Single(answers);
        var refundId = request["requestHeader"]!["requestId"]!.GetValue<string>();
        var (_, record) = await Host.InternalAsync(HttpMethod.Get, $"/internal/operations/{GspRequests.Usd}/{refundId}");
        Assert.Equal(4_000_000, JsonNode.Parse(record)!["calls"]![0]!["transactionState"]![nameof(ReferenceNumberRow.RefundedMicros)]!.GetValue<long>());
    }

    [Fact]
    public async Task Concurrent_identical_refunds_over_the_balance_all_get_the_error_and_leave_the_key_free()
    {
        // Each duplicate either claims the key itself or shares its twin's claim; one that finds the
        // claim given back meanwhile (its twin failed) claims it again instead of answering 409.
        var (generateId, _) = await Host.PaidReferenceNumberAsync(1_000_000);
        var refundId = GspRequests.NewId("R");
        var request = GspRequests.RefundV1(generateId, 2_000_000, id: refundId);
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Host.CallAsync(ProtocolMethods.AsynchronousRefundV1, request)));
        Assert.All(results, r => Assert.True(r.Status == 400, $"{r.Status} {r.Raw} {string.Join(" / ", Host.Logs.Lines().Where(l => l.Contains(refundId) && l.Contains("409")))}"));
        // Errors are not stored: the corrected call goes through at once under the same requestId.
        var corrected = await Host.CallAsync(ProtocolMethods.AsynchronousRefundV1, GspRequests.RefundV1(generateId, 1_000_000, id: refundId));
        Assert.True(corrected.Status == 200, corrected.Raw);
    }

    [Fact]
    public async Task Refunds_that_lose_the_balance_to_concurrent_ones_leave_no_outbox_row_behind()
    {
        // A refund indexes its operation in the outbox before its commit. One that loses the commit to a
        // concurrent refund and is then refused gives the row back at once; the accepted ones' rows go
        // when Google has their results. (A row left behind would cost the relay a read every run until
        // its orphan age.)
        var (generateId, _) = await Host.PaidReferenceNumberAsync(3_000_000);
        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ =>
            Host.CallAsync(ProtocolMethods.AsynchronousRefundV1, GspRequests.RefundV1(generateId, 1_000_000))));
        Assert.InRange(results.Count(r => r.Status == 200), 1, 3);
        Assert.Contains(results, r => r.Status == 400);
        var outbox = Host.Services.GetRequiredService<TransactionStore>().Outbox;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Keys.ReferenceNumberPartition(GspRequests.Usd, generateId)}");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var left = new List<string>();
            await foreach (var row in outbox.QueryAsync<TableEntity>(filter)) left.Add(row.RowKey);
            if (left.Count == 0) break;
            Assert.True(DateTime.UtcNow < deadline, "outbox rows left: " + string.Join(", ", left));
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Sixteen_concurrent_partial_refunds_never_exceed_the_paid_amount()
    {
        const long paid = 10_000_000, each = 1_000_000;
        var (generateId, _) = await Host.PaidReferenceNumberAsync(paid);
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ =>
            Host.CallAsync(ProtocolMethods.AsynchronousRefundV1, GspRequests.RefundV1(generateId, each))));
        var accepted = results.Count(r => r.Status == 200);
        Assert.All(results, r => Assert.True(r.Status is 200 or 400 or 409, r.Raw));
        Assert.All(results.Where(r => r.Status == 400), r => Assert.Equal("PRECONDITION_VIOLATION", r.Body!["errorResponseCode"]!.GetValue<string>()));
        Assert.True(accepted * each <= paid, $"accepted {accepted} refunds of {each} against {paid}");
        Assert.True(accepted >= 1);
        var probe = GspRequests.RefundV1(generateId, 1);
        var probeId = probe["requestHeader"]!["requestId"]!.GetValue<string>();
        var (probeStatus, _, _) = await Host.CallAsync(ProtocolMethods.AsynchronousRefundV1, probe);
        var (_, record) = await Host.InternalAsync(HttpMethod.Get, $"/internal/operations/{GspRequests.Usd}/{probeId}");
        var refunded = probeStatus == 200 ? JsonNode.Parse(record)!["calls"]![0]!["transactionState"]![nameof(ReferenceNumberRow.RefundedMicros)]!.GetValue<long>() - 1 : paid;
        Assert.Equal(accepted * each, refunded);
    }

    [Fact]
    public async Task A_race_between_cancel_and_payment_leaves_the_number_either_paid_or_cancelled()
    {
        for (var i = 0; i < 10; i++)
        {
            var id = GspRequests.NewId("G");
            var (_, generated, _) = await Host.CallAsync(ProtocolMethods.GenerateReferenceNumberV2, GspRequests.GenerateV2(id));
            var number = Calls.ReferenceNumberV2(generated!);
            var cancel = Host.CallAsync(ProtocolMethods.CancelReferenceNumberV2, GspRequests.CancelReferenceNumberV2(id));
            var pay = Host.PayAsync(GspRequests.Usd, number);
            await Task.WhenAll(cancel, pay);
            var cancelResult = (await cancel).Body!["result"]!.ToJsonString();
            var paid = (await pay).Status == 200;
            Assert.Equal(paid ? """{"referenceNumberAlreadyPaid":{}}""" : """{"success":{}}""", cancelResult);
        }
    }
}
