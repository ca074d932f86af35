using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Payments.Core.Idempotency;
using Payments.Core.Journal;
using Payments.Core.Protocol;
using Payments.Core.Storage;
using Payments.Core.Transactions;
using Payments.StandIns.CrmCom;
using Payments.StandIns.Gsp;
using Payments.Tests.TestSupport;

namespace Payments.Tests.EndToEnd;

/// <summary>The local host booking synchronous captures and refunds in the CRM.COM stand-in with a short bounded wait.</summary>
public sealed class SynchronousBookingFixture : IAsyncLifetime
{
    /// <summary>The bounded wait under test (short, so a slow booking is quick to provoke).</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(2);

    public LocalHostUnderTest Host { get; private set; } = null!;
    public CrmComStandIn Crm { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Crm = await CrmComStandIn.StartAsync(new CrmComStandInOptions { TokenLifetime = TimeSpan.FromMinutes(30) });
        Crm.Faults.SlowDelay = TimeSpan.FromSeconds(8);
        var settings = FinishingFixture.CrmComSettings(Crm);
        settings["BackOffice:SynchronousBookingTimeout"] = Wait.ToString();
        Host = await LocalHostUnderTest.StartAsync(settings: settings);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Crm.DisposeAsync();
    }
}

/// <summary>docs/protocol.md §12 (the synchronous booking): a capture and a refund are booked in the back office
/// within the call; past the bounded wait the call answers 503 and Google's retry with the same requestId gets the
/// final answer, the booking found by its code and never made twice; a worker finishes a booking nobody retries.</summary>
[Trait("Category", Category.EndToEnd)]
public sealed class SynchronousBookingTests(SynchronousBookingFixture fixture) : IClassFixture<SynchronousBookingFixture>, IAsyncLifetime
{
    private LocalHostUnderTest Host => fixture.Host;
    private CrmComStandIn Crm => fixture.Crm;
    private TableClient Transactions => Host.Services.GetRequiredService<TransactionStore>().Transactions;
    private MoneyJournal Journal => Host.Services.GetRequiredService<MoneyJournal>();
    private const string Inr = GspRequests.Inr, Wallet = GspRequests.InrWallet;

    public Task InitializeAsync()
    {
        Crm.Faults.Clear();
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static string Id(JsonObject request) => request["requestHeader"]!["requestId"]!.GetValue<string>();

    /// <returns>the reservation's partition and the capture's requestId</returns>
    private async Task<(string Partition, string CaptureRequestId)> CaptureAsync(long micros)
    {
        var reserveId = GspRequests.NewId("F");
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.ReserveFundsV1, GspRequests.ReserveFundsV1(reserveId, micros))).Status);
        var capture = GspRequests.CaptureFundsReservationV1(reserveId, micros);
        var (status, body, raw) = await Host.CallAsync(ProtocolMethods.CaptureFundsReservationV1, capture);
        Assert.True(status == 200 && body!["result"]!.GetValue<string>() == "SUCCESS", raw);
        return (Keys.FundsReservationPartition(Inr, reserveId), Id(capture));
    }

    private async Task<OperationRow> OperationAsync(string partition, string requestId) =>
        OperationRow.From((await Transactions.GetOrNullAsync(partition, Keys.OperationRow(requestId)))!);

    [Fact]
    public async Task A_capture_and_its_refund_are_booked_once_each_and_journaled()
    {
        var (partition, captureRequestId) = await CaptureAsync(10_000_000);
        var captureCode = Operations.BackOfficeCode(Inr, captureRequestId);
        Assert.Equal(1, Crm.BookingCount(captureCode));
        Assert.Equal("payment", Crm.Bookings.Single(b => b.BackOfficeCode == captureCode).Kind);
        Assert.Equal(OperationStates.Done, (await OperationAsync(partition, captureRequestId)).State);
        Assert.Equal(CaptureStatus.Captured, CaptureRow.From((await Transactions.GetOrNullAsync(partition, Keys.CaptureRow(captureRequestId)))!).Status);
        Assert.Equal(MoneyMovementKind.Capture, (await Journal.FindAsync(Inr, captureRequestId, default))!.Kind);

        var refund = GspRequests.RefundSyncV1(captureRequestId, 4_000_000);
        var (status, body, raw) = await Host.CallAsync(ProtocolMethods.RefundRedirectV1, refund);
        Assert.True(status == 200 && body!["result"]!.GetValue<string>() == "SUCCESS", raw);
        var refundCode = Operations.BackOfficeCode(Inr, Id(refund));
        Assert.Equal(1, Crm.BookingCount(refundCode));
        var payment = Crm.Bookings.Single(b => b.BackOfficeCode == captureCode).PaymentReferenceNumber;
        Assert.Equal(4m, Crm.GetPayment(payment)!.Refunded);
        Assert.Equal((MoneyMovementKind.Refund, 4_000_000L, captureRequestId), await Journal.FindAsync(Inr, Id(refund), default) is { } m ? (m.Kind, m.AmountMicros, m.CaptureRequestId) : default);
        // Done: nothing left for the outbox relay.
        Assert.Null(await Host.Services.GetRequiredService<TransactionStore>().Outbox.GetOrNullAsync(partition, Keys.OperationRow(Id(refund))));
    }

    [Fact]
    public async Task A_refund_whose_booking_is_slow_answers_503_and_the_retry_answers_SUCCESS_without_booking_twice()
    {
        var (partition, captureRequestId) = await CaptureAsync(10_000_000);
        Crm.Faults.FailNextBookings(CrmComFault.SlowAfterBooking);
        var refund = GspRequests.RefundSyncV1(captureRequestId, 3_000_000);
        var (status, body, raw) = await Host.CallAsync(ProtocolMethods.RefundRedirectV1, refund);
        Assert.True(status == 503, raw);
        Assert.Null(body);
        var code = Operations.BackOfficeCode(Inr, Id(refund));
        Assert.Equal(1, Crm.BookingCount(code)); // made, its answer late

        var (retry, retryBody, retryRaw) = await Host.CallAsync(ProtocolMethods.RefundRedirectV1, GspRequests.Refreshed(refund));
        Assert.True(retry == 200, retryRaw);
        Assert.Equal("SUCCESS", retryBody!["result"]!.GetValue<string>());
        Assert.Equal(MoneyIds.RefundId(Inr, Id(refund)), retryBody["paymentIntegratorRefundId"]!.GetValue<string>());
        Assert.Equal(1, Crm.BookingCount(code));
        var (again, againBody, _) = await Host.CallAsync(ProtocolMethods.RefundRedirectV1, GspRequests.Refreshed(refund));
        Assert.Equal((200, Calls.WithoutHeader(retryBody)), (again, Calls.WithoutHeader(againBody!)));
        Assert.Equal(1, Crm.BookingCount(code));
        Assert.Equal(3_000_000, CaptureRow.From((await Transactions.GetOrNullAsync(partition, Keys.CaptureRow(captureRequestId)))!).RefundedMicros);
    }

    [Fact]
    public async Task A_booking_nobody_retries_is_finished_by_the_bookings_worker()
    {
        var (partition, captureRequestId) = await CaptureAsync(10_000_000);
        Crm.Faults.FailNextBookings(CrmComFault.SlowAfterBooking);
        var refund = GspRequests.RefundSyncV1(captureRequestId, 10_000_000);
        Assert.Equal(503, (await Host.CallAsync(ProtocolMethods.RefundRedirectV1, refund)).Status);

        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while ((await OperationAsync(partition, Id(refund))).State != OperationStates.Done && DateTimeOffset.UtcNow < deadline) await Task.Delay(250);
        Assert.Equal(OperationStates.Done, (await OperationAsync(partition, Id(refund))).State);
        var requests = Crm.Requests.Count;
        var (status, body, raw) = await Host.CallAsync(ProtocolMethods.RefundRedirectV1, GspRequests.Refreshed(refund));
        Assert.True(status == 200 && body!["result"]!.GetValue<string>() == "SUCCESS", raw);
        Assert.Equal(requests, Crm.Requests.Count); // answered from the ledger
        Assert.Equal(1, Crm.BookingCount(Operations.BackOfficeCode(Inr, Id(refund))));
    }

    [Fact]
    public async Task A_refund_the_back_office_declines_answers_the_decline_and_gives_the_amount_back()
    {
        var (partition, captureRequestId) = await CaptureAsync(10_000_000);
        var payment = Crm.Bookings.Single(b => b.BackOfficeCode == Operations.BackOfficeCode(Inr, captureRequestId)).PaymentReferenceNumber;
        Crm.Faults.RefuseReference(payment, CrmComCodes.AccountClosed);
        var refund = GspRequests.RefundSyncV1(captureRequestId, 10_000_000);
        var (status, body, raw) = await Host.CallAsync(ProtocolMethods.RefundRedirectV1, refund);
        Assert.True(status == 200, raw);
        Assert.Equal("ACCOUNT_CLOSED", body!["result"]!.GetValue<string>());
        Assert.Equal(0, CaptureRow.From((await Transactions.GetOrNullAsync(partition, Keys.CaptureRow(captureRequestId)))!).RefundedMicros);
        Assert.Null(await Journal.FindAsync(Inr, Id(refund), default));
        var (replay, replayBody, _) = await Host.CallAsync(ProtocolMethods.RefundRedirectV1, GspRequests.Refreshed(refund));
        Assert.Equal((200, "ACCOUNT_CLOSED"), (replay, replayBody!["result"]!.GetValue<string>()));

        Crm.Faults.Clear();
        var (later, laterBody, laterRaw) = await Host.CallAsync(ProtocolMethods.RefundRedirectV1, GspRequests.RefundSyncV1(captureRequestId, 10_000_000));
        Assert.True(later == 200 && laterBody!["result"]!.GetValue<string>() == "SUCCESS", laterRaw);
    }

    [Fact]
    public async Task A_capture_whose_booking_is_pending_refuses_refunds_until_it_is_final()
    {
        var reserveId = GspRequests.NewId("F");
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.ReserveFundsV1, GspRequests.ReserveFundsV1(reserveId, 5_000_000))).Status);
        Crm.Faults.FailNextBookings(CrmComFault.SlowAfterBooking);
        var capture = GspRequests.CaptureFundsReservationV1(reserveId, 5_000_000);
        Assert.Equal(503, (await Host.CallAsync(ProtocolMethods.CaptureFundsReservationV1, capture)).Status);
        var (early, earlyBody, _) = await Host.CallAsync(ProtocolMethods.RefundRedirectV1, GspRequests.RefundSyncV1(Id(capture), 1));
        Assert.Equal((400, "PRECONDITION_VIOLATION"), (early, earlyBody!["errorResponseCode"]!.GetValue<string>()));
        // The reservation is taken meanwhile: a second capture is refused.
        Assert.Equal(400, (await Host.CallAsync(ProtocolMethods.CaptureFundsReservationV1, GspRequests.CaptureFundsReservationV1(reserveId, 1))).Status);

        var (status, body, raw) = await Host.CallAsync(ProtocolMethods.CaptureFundsReservationV1, GspRequests.Refreshed(capture));
        Assert.True(status == 200 && body!["result"]!.GetValue<string>() == "SUCCESS", raw);
        Assert.Equal(1, Crm.BookingCount(Operations.BackOfficeCode(Inr, Id(capture))));
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.RefundRedirectV1, GspRequests.RefundSyncV1(Id(capture), 1))).Status);
    }

    [Fact]
    public async Task Operators_see_the_booking_operations_of_captures_and_refunds()
    {
        var capture = GspRequests.CaptureV1(2_000_000);
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.CaptureEWalletsV1, capture)).Status);
        var refund = GspRequests.RefundSyncV1(Id(capture), 1_000_000, piaid: Wallet);
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.RefundEWalletsV1, refund)).Status);
        foreach (var (requestId, kind) in new[] { (Id(capture), OperationKinds.CaptureBooking), (Id(refund), OperationKinds.RefundBooking) })
        {
            var (status, raw) = await Host.InternalAsync(HttpMethod.Get, $"/internal/operations/{Wallet}/{requestId}");
            Assert.True(status == 200, $"{kind} {requestId}: {raw}");
            var call = JsonNode.Parse(raw)!["calls"]![0]!;
            Assert.Equal(kind, call["operation"]!["Kind"]!.GetValue<string>());
            Assert.Equal(OperationStates.Done, call["operation"]!["State"]!.GetValue<string>());
            Assert.Equal("SUCCESS", call["storedResponse"]!["result"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task EWallets_captures_and_refunds_are_booked_too()
    {
        var capture = GspRequests.CaptureV1(2_000_000);
        var (status, body, raw) = await Host.CallAsync(ProtocolMethods.CaptureEWalletsV1, capture);
        Assert.True(status == 200 && body!["result"]!.GetValue<string>() == "SUCCESS", raw);
        Assert.Equal(1, Crm.BookingCount(Operations.BackOfficeCode(Wallet, Id(capture))));
        var refund = GspRequests.RefundSyncV1(Id(capture), 2_000_000, piaid: Wallet);
        var (refunded, refundBody, refundRaw) = await Host.CallAsync(ProtocolMethods.RefundEWalletsV1, refund);
        Assert.True(refunded == 200 && refundBody!["result"]!.GetValue<string>() == "SUCCESS", refundRaw);
        // The whole captured amount: the back office cancels the payment.
        Assert.Equal("payment_cancellation", Crm.Bookings.Single(b => b.BackOfficeCode == Operations.BackOfficeCode(Wallet, Id(refund))).Kind);
    }
}
