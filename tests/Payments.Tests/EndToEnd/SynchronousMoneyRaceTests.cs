using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;
using Payments.Core.Storage;
using Payments.Core.Transactions;
using Payments.StandIns.Gsp;
using Payments.Tests.TestSupport;

namespace Payments.Tests.EndToEnd;

/// <summary>Races on one transaction, each repeated <see cref="Rounds"/> times over HTTP: the ETag of the state
/// (a reservation, a mandate) or of the capture row lets exactly one order win, and money is never moved twice.</summary>
[Trait("Category", Category.EndToEnd)]
public sealed class SynchronousMoneyRaceTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private const int Rounds = 50;
    private LocalHostUnderTest Host => fixture.Host;
    private TableClient Transactions => Host.Services.GetRequiredService<TransactionStore>().Transactions;
    private const string Inr = GspRequests.Inr, Wallet = GspRequests.InrWallet;

    private static string Id(JsonObject request) => request["requestHeader"]!["requestId"]!.GetValue<string>();

    private async Task<string> ReserveAsync(long micros)
    {
        var id = GspRequests.NewId("F");
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.ReserveFundsV1, GspRequests.ReserveFundsV1(id, micros))).Status);
        return id;
    }

    private static void AssertRefused((int Status, JsonNode? Body, string Raw) answer) =>
        Assert.True(answer.Status == 400 && answer.Body!["errorResponseCode"]!.GetValue<string>() == "PRECONDITION_VIOLATION", answer.Raw);

    [Fact]
    public async Task Concurrent_partial_refunds_whose_sum_exceeds_the_capture_never_refund_more_than_it()
    {
        const long captured = 10_000_000, each = 2_000_000;
        const int refunds = 8; // 16 units asked of 10
        for (var round = 0; round < Rounds; round++)
        {
            var reserveId = await ReserveAsync(captured);
            var capture = GspRequests.CaptureFundsReservationV1(reserveId, captured);
            Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.CaptureFundsReservationV1, capture)).Status);
            var answers = await Task.WhenAll(Enumerable.Range(0, refunds).Select(_ =>
                Host.CallAsync(ProtocolMethods.RefundRedirectV1, GspRequests.RefundSyncV1(Id(capture), each))));
            var succeeded = answers.Count(a => a.Status == 200 && a.Body!["result"]!.GetValue<string>() == "SUCCESS");
            Assert.All(answers.Where(a => a.Status != 200), a => Assert.True(a.Status is 400 or 409, a.Raw));
            Assert.True(succeeded * each <= captured, $"round {round}: {succeeded} refunds of {each} against {captured}");
            Assert.True(succeeded >= 1, $"round {round}: no refund succeeded");

            var partition = Keys.FundsReservationPartition(Inr, reserveId);
            var row = CaptureRow.From((await Transactions.GetOrNullAsync(partition, Keys.CaptureRow(Id(capture))))!);
            Assert.Equal(succeeded * each, row.RefundedMicros);
            var journaled = 0;
            await foreach (var _ in Transactions.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {"mv|R"} and RowKey lt {"mv|S"}")))
                journaled++;
            Assert.Equal(succeeded, journaled);
        }
    }

    [Fact]
    public async Task Capture_and_cancelFundsReservation_racing_exactly_one_wins()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var reserveId = await ReserveAsync(1_000_000);
            var capture = Host.CallAsync(ProtocolMethods.CaptureFundsReservationV1, GspRequests.CaptureFundsReservationV1(reserveId, 1_000_000));
            var cancel = Host.CallAsync(ProtocolMethods.CancelFundsReservationV1, GspRequests.CancelFundsReservationV1(reserveId));
            var (captured, cancelled) = (await capture, await cancel);
            var partition = Keys.FundsReservationPartition(Inr, reserveId);
            var state = FundsReservationRow.From((await Transactions.GetOrNullAsync(partition, Keys.StateRow(partition)))!);
            if (captured.Status == 200)
            {
                AssertRefused(cancelled);
                Assert.Equal(FundsReservationStatus.Captured, state.Status);
            }
            else
            {
                AssertRefused(captured);
                Assert.True(cancelled.Status == 200, cancelled.Raw);
                Assert.Equal(FundsReservationStatus.Cancelled, state.Status);
            }
        }
    }

    [Fact]
    public async Task Two_captures_of_one_reservation_exactly_one_wins()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var reserveId = await ReserveAsync(1_000_000);
            var answers = await Task.WhenAll(
                Host.CallAsync(ProtocolMethods.CaptureFundsReservationV1, GspRequests.CaptureFundsReservationV1(reserveId, 1_000_000)),
                Host.CallAsync(ProtocolMethods.CaptureFundsReservationV1, GspRequests.CaptureFundsReservationV1(reserveId, 500_000)));
            Assert.Equal(1, answers.Count(a => a.Status == 200));
            AssertRefused(answers.Single(a => a.Status != 200));
            var partition = Keys.FundsReservationPartition(Inr, reserveId);
            var captures = 0;
            await foreach (var _ in Transactions.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {"cap|"} and RowKey lt {"cap}"}")))
                captures++;
            Assert.Equal(1, captures);
        }
    }

    [Fact]
    public async Task Capture_and_cancelMandate_racing_one_order_wins_and_nothing_is_charged_after_the_cancellation()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var mandateId = GspRequests.NewId("MD");
            var create = GspRequests.CreateMandateV1(mandateId);
            create.Remove("frequency");
            Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.CreateMandateV1, create)).Status);
            var charge = GspRequests.CaptureV1(1_000_000, mandateId: mandateId);
            var capture = Host.CallAsync(ProtocolMethods.CaptureEWalletsV1, charge);
            var cancel = Host.CallAsync(ProtocolMethods.CancelMandateV1, GspRequests.CancelMandateV1(mandateId));
            var (captured, cancelled) = (await capture, await cancel);
            Assert.True(cancelled.Status == 200, cancelled.Raw);

            var partition = Keys.MandatePartition(Wallet, mandateId);
            var state = MandateRow.From((await Transactions.GetOrNullAsync(partition, Keys.StateRow(partition)))!);
            Assert.Equal(MandateStatus.Cancelled, state.Status);
            var row = await Transactions.GetOrNullAsync(partition, Keys.CaptureRow(Id(charge)));
            if (captured.Status == 200)
            {
                Assert.Equal("SUCCESS", captured.Body!["result"]!.GetValue<string>());
                Assert.NotNull(row);
                Assert.True(state.LastChargedAt <= state.CancelledAt, $"round {round}: charged at {state.LastChargedAt}, cancelled at {state.CancelledAt}");
            }
            else
            {
                AssertRefused(captured);
                Assert.Null(row);
            }
        }
    }
}
