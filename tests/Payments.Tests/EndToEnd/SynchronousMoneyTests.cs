using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Payments.Core.Idempotency;
using Payments.Core.Journal;
using Payments.Core.Protocol;
using Payments.Core.Storage;
using Payments.Core.Transactions;
using Payments.StandIns.Gsp;
using Payments.Tests.TestSupport;

namespace Payments.Tests.EndToEnd;

/// <summary>The synchronous money movements over HTTP (docs/protocol.md §6 and its Decisions): redirect-payment-token
/// v1 captureFundsReservation and refund, e-wallets v1 capture and refund. Each success, decline and ErrorResponse;
/// what they leave in storage (the state, the capture row, the journal's row).</summary>
[Trait("Category", Category.EndToEnd)]
public sealed class SynchronousMoneyTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private LocalHostUnderTest Host => fixture.Host;
    private TableClient Transactions => Host.Services.GetRequiredService<TransactionStore>().Transactions;
    private MoneyJournal Journal => Host.Services.GetRequiredService<MoneyJournal>();
    private const string Inr = GspRequests.Inr, Wallet = GspRequests.InrWallet;

    private static string Id(JsonObject request) => request["requestHeader"]!["requestId"]!.GetValue<string>();
    private static string Result(JsonNode? body) => body!["result"]!.GetValue<string>();
    private static string Code(JsonNode? body) => body!["errorResponseCode"]!.GetValue<string>();

    private async Task<string> ReserveAsync(long micros = 1_500_000_000)
    {
        var id = GspRequests.NewId("F");
        var (status, _, raw) = await Host.CallAsync(ProtocolMethods.ReserveFundsV1, GspRequests.ReserveFundsV1(id, micros));
        Assert.True(status == 200, raw);
        return id;
    }

    /// <returns>the reservation's partition and the capture's requestId</returns>
    private async Task<(string Partition, string CaptureRequestId)> CaptureReservationAsync(long reserved, long captured)
    {
        var reserveId = await ReserveAsync(reserved);
        var request = GspRequests.CaptureFundsReservationV1(reserveId, captured);
        var (status, body, raw) = await Host.CallAsync(ProtocolMethods.CaptureFundsReservationV1, request);
        Assert.True(status == 200 && Result(body) == "SUCCESS", raw);
        return (Keys.FundsReservationPartition(Inr, reserveId), Id(request));
    }

    private async Task<string> MandateAsync(string? frequency = null, long maximum = 728_000_000)
    {
        var mandateId = GspRequests.NewId("MD");
        var create = GspRequests.CreateMandateV1(mandateId);
        if (frequency is null) create.Remove("frequency"); else create["frequency"] = frequency;
        create["maximumAmount"] = GspRequests.Amount(maximum, "INR");
        var (status, _, raw) = await Host.CallAsync(ProtocolMethods.CreateMandateV1, create);
        Assert.True(status == 200, raw);
        return mandateId;
    }

    private async Task<TableEntity?> RowAsync(string partition, string row) => await Transactions.GetOrNullAsync(partition, row);

    [Fact]
    public async Task CaptureFundsReservation_captures_once_answers_our_id_and_journals_the_capture()
    {
        var reserveId = await ReserveAsync(1_500_000_000);
        var request = GspRequests.CaptureFundsReservationV1(reserveId, 1_000_000_000);
        var (status, body, raw) = await Host.CallAsync(ProtocolMethods.CaptureFundsReservationV1, request);
        Assert.True(status == 200, raw);
        Assert.Equal("SUCCESS", Result(body));
        var captureId = MoneyIds.CaptureId(Inr, Id(request));
        Assert.Equal(captureId, body!["paymentIntegratorCaptureId"]!.GetValue<string>());

        var partition = Keys.FundsReservationPartition(Inr, reserveId);
        var state = FundsReservationRow.From((await RowAsync(partition, Keys.StateRow(partition)))!);
        Assert.Equal(FundsReservationStatus.Captured, state.Status);
        Assert.Equal(Id(request), state.CaptureRequestId);
        var capture = CaptureRow.From((await RowAsync(partition, Keys.CaptureRow(Id(request))))!);
        Assert.Equal((1_000_000_000L, "INR", 0L, captureId, CaptureStatus.Captured), (capture.AmountMicros, capture.CurrencyCode, capture.RefundedMicros, capture.CaptureId, capture.Status));
        var movement = (await Journal.FindAsync(Inr, Id(request), default))!;
        Assert.Equal((MoneyMovementKind.Capture, 1_000_000_000L, "INR", captureId, "redirect-payment-token-v1", partition),
            (movement.Kind, movement.AmountMicros, movement.CurrencyCode, movement.PaymentIntegratorEventId, movement.Api, movement.Partition));

        // Once per reservation: another requestId is refused, as is a cancellation of the captured reservation.
        var (second, secondBody, _) = await Host.CallAsync(ProtocolMethods.CaptureFundsReservationV1, GspRequests.CaptureFundsReservationV1(reserveId, 1));
        Assert.Equal((400, "PRECONDITION_VIOLATION"), (second, Code(secondBody)));
        var (cancel, cancelBody, _) = await Host.CallAsync(ProtocolMethods.CancelFundsReservationV1, GspRequests.CancelFundsReservationV1(reserveId));
        Assert.Equal((400, "PRECONDITION_VIOLATION"), (cancel, Code(cancelBody)));
    }

    [Fact]
    public async Task CaptureFundsReservation_refusals_change_nothing()
    {
        var (unknown, unknownBody, _) = await Host.CallAsync(ProtocolMethods.CaptureFundsReservationV1, GspRequests.CaptureFundsReservationV1(GspRequests.NewId("F")));
        Assert.Equal((404, "INVALID_IDENTIFIER"), (unknown, Code(unknownBody)));

        var reserveId = await ReserveAsync(1_000_000);
        var (above, aboveBody, _) = await Host.CallAsync(ProtocolMethods.CaptureFundsReservationV1, GspRequests.CaptureFundsReservationV1(reserveId, 1_000_001));
        Assert.Equal((400, "PRECONDITION_VIOLATION"), (above, Code(aboveBody)));
        var (zero, zeroBody, _) = await Host.CallAsync(ProtocolMethods.CaptureFundsReservationV1, GspRequests.CaptureFundsReservationV1(reserveId, 0));
        Assert.Equal((400, "INVALID_FIELD_VALUE"), (zero, Code(zeroBody)));
        var missing = GspRequests.CaptureFundsReservationV1(reserveId);
        missing.Remove("amount");
        var (missingStatus, missingBody, _) = await Host.CallAsync(ProtocolMethods.CaptureFundsReservationV1, missing);
        Assert.Equal((400, "MISSING_REQUIRED_FIELD"), (missingStatus, Code(missingBody)));
        var partition = Keys.FundsReservationPartition(Inr, reserveId);
        Assert.Equal(FundsReservationStatus.Reserved, FundsReservationRow.From((await RowAsync(partition, Keys.StateRow(partition)))!).Status);

        // The whole amount is fine after all those.
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.CaptureFundsReservationV1, GspRequests.CaptureFundsReservationV1(reserveId, 1_000_000))).Status);

        var cancelledId = await ReserveAsync();
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.CancelFundsReservationV1, GspRequests.CancelFundsReservationV1(cancelledId))).Status);
        var (cancelled, cancelledBody, _) = await Host.CallAsync(ProtocolMethods.CaptureFundsReservationV1, GspRequests.CaptureFundsReservationV1(cancelledId));
        Assert.Equal((400, "PRECONDITION_VIOLATION"), (cancelled, Code(cancelledBody)));

        // An expired reservation: aged in storage.
        var expiredId = await ReserveAsync();
        var expiredPartition = Keys.FundsReservationPartition(Inr, expiredId);
        await Transactions.UpdateEntityAsync(new TableEntity(expiredPartition, Keys.StateRow(expiredPartition)) { ["ExpiresAt"] = DateTimeOffset.UtcNow.AddSeconds(-1) }, Azure.ETag.All);
        var (expired, expiredBody, _) = await Host.CallAsync(ProtocolMethods.CaptureFundsReservationV1, GspRequests.CaptureFundsReservationV1(expiredId));
        Assert.Equal((400, "PRECONDITION_VIOLATION"), (expired, Code(expiredBody)));
        Assert.Null(await RowAsync(expiredPartition, "mv|" + Id(GspRequests.CaptureFundsReservationV1(expiredId))));
    }

    [Fact]
    public async Task Redirect_refunds_full_and_partial_never_beyond_the_capture_and_journal_each()
    {
        var (reservation, captureRequestId) = await CaptureReservationAsync(1_500_000_000, 1_000_000_000);
        var first = GspRequests.RefundSyncV1(captureRequestId, 400_000_000);
        var (status, body, raw) = await Host.CallAsync(ProtocolMethods.RefundRedirectV1, first);
        Assert.True(status == 200, raw);
        Assert.Equal("SUCCESS", Result(body));
        Assert.Equal(MoneyIds.RefundId(Inr, Id(first)), body!["paymentIntegratorRefundId"]!.GetValue<string>());

        var (over, overBody, _) = await Host.CallAsync(ProtocolMethods.RefundRedirectV1, GspRequests.RefundSyncV1(captureRequestId, 600_000_001));
        Assert.Equal((400, "PRECONDITION_VIOLATION"), (over, Code(overBody)));
        var (currency, currencyBody, _) = await Host.CallAsync(ProtocolMethods.RefundRedirectV1, GspRequests.RefundSyncV1(captureRequestId, 1, "USD"));
        Assert.Equal((400, "PRECONDITION_VIOLATION"), (currency, Code(currencyBody)));
        var (unknown, unknownBody, _) = await Host.CallAsync(ProtocolMethods.RefundRedirectV1, GspRequests.RefundSyncV1(GspRequests.NewId("P"), 1));
        Assert.Equal((404, "INVALID_IDENTIFIER"), (unknown, Code(unknownBody)));
        var (zero, zeroBody, _) = await Host.CallAsync(ProtocolMethods.RefundRedirectV1, GspRequests.RefundSyncV1(captureRequestId, 0));
        Assert.Equal((400, "INVALID_FIELD_VALUE"), (zero, Code(zeroBody)));

        var rest = GspRequests.RefundSyncV1(captureRequestId, 600_000_000);
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.RefundRedirectV1, rest)).Status);
        var (none, noneBody, _) = await Host.CallAsync(ProtocolMethods.RefundRedirectV1, GspRequests.RefundSyncV1(captureRequestId, 1));
        Assert.Equal((400, "PRECONDITION_VIOLATION"), (none, Code(noneBody)));

        var capture = CaptureRow.From((await RowAsync(reservation, Keys.CaptureRow(captureRequestId)))!);
        Assert.Equal(1_000_000_000, capture.RefundedMicros);
        var movement = (await Journal.FindAsync(Inr, Id(rest), default))!;
        Assert.Equal((MoneyMovementKind.Refund, 600_000_000L, captureRequestId, MoneyIds.RefundId(Inr, Id(rest)), reservation),
            (movement.Kind, movement.AmountMicros, movement.CaptureRequestId, movement.PaymentIntegratorEventId, movement.Partition));
    }

    [Fact]
    public async Task EWallets_capture_with_a_token_is_its_own_transaction_and_refunds_only_through_its_family()
    {
        var request = GspRequests.CaptureV1(5_000_000);
        var (status, body, raw) = await Host.CallAsync(ProtocolMethods.CaptureEWalletsV1, request);
        Assert.True(status == 200, raw);
        Assert.Equal("SUCCESS", Result(body));
        Assert.Equal(MoneyIds.TransactionId(Wallet, Id(request)), body!["paymentIntegratorTransactionId"]!.GetValue<string>());
        var partition = Keys.CapturePartition(Wallet, Id(request));
        Assert.Equal((MoneyMovementKind.Capture, "e-wallets-v1"), ((await Journal.FindAsync(Wallet, Id(request), default))!.Kind, (await Journal.FindAsync(Wallet, Id(request), default))!.Api));

        // A redirect-payment-token refund does not find an e-wallets capture.
        var (other, otherBody, _) = await Host.CallAsync(ProtocolMethods.RefundRedirectV1, GspRequests.RefundSyncV1(Id(request), 1, piaid: Wallet));
        Assert.Equal((404, "INVALID_IDENTIFIER"), (other, Code(otherBody)));
        var refund = GspRequests.RefundSyncV1(Id(request), 5_000_000, piaid: Wallet);
        var (refunded, refundBody, refundRaw) = await Host.CallAsync(ProtocolMethods.RefundEWalletsV1, refund);
        Assert.True(refunded == 200, refundRaw);
        Assert.Equal(MoneyIds.RefundId(Wallet, Id(refund)), refundBody!["paymentIntegratorRefundId"]!.GetValue<string>());
        Assert.Equal(5_000_000, CaptureRow.From((await RowAsync(partition, Keys.CaptureRow(Id(request))))!).RefundedMicros);
    }

    [Fact]
    public async Task EWallets_capture_form_of_payment_is_exactly_one()
    {
        var both = GspRequests.CaptureV1(mandateId: "M1");
        both["googlePaymentToken"] = "token";
        var (bothStatus, bothBody, _) = await Host.CallAsync(ProtocolMethods.CaptureEWalletsV1, both);
        Assert.Equal((400, "INVALID_FIELD_VALUE"), (bothStatus, Code(bothBody)));
        var none = GspRequests.CaptureV1();
        none.Remove("googlePaymentToken");
        var (noneStatus, noneBody, _) = await Host.CallAsync(ProtocolMethods.CaptureEWalletsV1, none);
        Assert.Equal((400, "MISSING_REQUIRED_FIELD"), (noneStatus, Code(noneBody)));
        var noMandateId = GspRequests.CaptureV1(mandateId: "M1");
        noMandateId["mandateDetails"] = new JsonObject();
        var (noIdStatus, noIdBody, _) = await Host.CallAsync(ProtocolMethods.CaptureEWalletsV1, noMandateId);
        Assert.Equal((400, "MISSING_REQUIRED_FIELD"), (noIdStatus, Code(noIdBody)));
    }

    [Fact]
    public async Task EWallets_capture_against_a_mandate_keeps_its_limits_and_stops_when_it_is_cancelled()
    {
        var (unknown, unknownBody, _) = await Host.CallAsync(ProtocolMethods.CaptureEWalletsV1, GspRequests.CaptureV1(mandateId: GspRequests.NewId("MD")));
        Assert.Equal((404, "INVALID_IDENTIFIER"), (unknown, Code(unknownBody)));

        var mandateId = await MandateAsync(frequency: "MONTHLY", maximum: 10_000_000);
        var (over, overBody, _) = await Host.CallAsync(ProtocolMethods.CaptureEWalletsV1, GspRequests.CaptureV1(10_000_001, mandateId: mandateId));
        Assert.Equal((200, "CHARGE_EXCEEDS_TRANSACTION_LIMIT"), (over, Result(overBody)));
        var (currency, currencyBody, _) = await Host.CallAsync(ProtocolMethods.CaptureEWalletsV1, GspRequests.CaptureV1(1, "USD", mandateId));
        Assert.Equal((400, "PRECONDITION_VIOLATION"), (currency, Code(currencyBody)));

        var charge = GspRequests.CaptureV1(10_000_000, mandateId: mandateId);
        var (status, body, raw) = await Host.CallAsync(ProtocolMethods.CaptureEWalletsV1, charge);
        Assert.True(status == 200 && Result(body) == "SUCCESS", raw);
        var (again, againBody, _) = await Host.CallAsync(ProtocolMethods.CaptureEWalletsV1, GspRequests.CaptureV1(1, mandateId: mandateId));
        Assert.Equal((200, "CHARGE_EXCEEDS_MONTHLY_LIMIT"), (again, Result(againBody)));

        // Cancelled: later charges stop; the charge and its refunds stay.
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.CancelMandateV1, GspRequests.CancelMandateV1(mandateId))).Status);
        var (after, afterBody, _) = await Host.CallAsync(ProtocolMethods.CaptureEWalletsV1, GspRequests.CaptureV1(1, mandateId: mandateId));
        Assert.Equal((400, "PRECONDITION_VIOLATION"), (after, Code(afterBody)));
        var (refund, refundBody, refundRaw) = await Host.CallAsync(ProtocolMethods.RefundEWalletsV1, GspRequests.RefundSyncV1(Id(charge), 4_000_000, piaid: Wallet));
        Assert.True(refund == 200 && Result(refundBody) == "SUCCESS", refundRaw);
        var partition = Keys.MandatePartition(Wallet, mandateId);
        Assert.Equal(4_000_000, CaptureRow.From((await RowAsync(partition, Keys.CaptureRow(Id(charge))))!).RefundedMicros);
        Assert.Equal(partition, (await Journal.FindAsync(Wallet, Id(charge), default))!.Partition);
    }

    [Fact]
    public async Task One_requestId_captures_once_whether_with_a_token_or_against_a_mandate()
    {
        var mandateId = await MandateAsync();
        var token = GspRequests.CaptureV1(1_000_000);
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.CaptureEWalletsV1, token)).Status);
        var (status, body, _) = await Host.CallAsync(ProtocolMethods.CaptureEWalletsV1, GspRequests.CaptureV1(1_000_000, mandateId: mandateId, id: Id(token)));
        Assert.Equal((412, "IDEMPOTENCY_VIOLATION"), (status, Code(body)));

        var charge = GspRequests.CaptureV1(1_000_000, mandateId: mandateId);
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.CaptureEWalletsV1, charge)).Status);
        var (again, againBody, _) = await Host.CallAsync(ProtocolMethods.CaptureEWalletsV1, GspRequests.CaptureV1(1_000_000, id: Id(charge)));
        Assert.Equal((412, "IDEMPOTENCY_VIOLATION"), (again, Code(againBody)));
        Assert.Null(await RowAsync(Keys.CapturePartition(Wallet, Id(charge)), Keys.CaptureRow(Id(charge))));
        Assert.Null(await RowAsync(Keys.MandatePartition(Wallet, mandateId), Keys.CaptureRow(Id(token))));
    }

    [Fact]
    public async Task EWallets_mandate_without_frequency_takes_several_charges()
    {
        var mandateId = await MandateAsync();
        for (var i = 0; i < 3; i++)
        {
            var (status, body, raw) = await Host.CallAsync(ProtocolMethods.CaptureEWalletsV1, GspRequests.CaptureV1(1_000_000, mandateId: mandateId));
            Assert.True(status == 200 && Result(body) == "SUCCESS", raw);
        }
    }

    public static TheoryData<string> Methods => new() { "captureReservation", "refundRedirect", "captureToken", "captureMandate", "refundWallet" };

    private async Task<(ProtocolMethod Method, JsonObject Request, JsonObject Changed)> CallOfAsync(string which)
    {
        switch (which)
        {
            case "captureReservation":
            {
                var reserveId = await ReserveAsync();
                return (ProtocolMethods.CaptureFundsReservationV1, GspRequests.CaptureFundsReservationV1(reserveId, 1_000_000), GspRequests.CaptureFundsReservationV1(reserveId, 2_000_000));
            }
            case "refundRedirect":
            {
                var (_, captureId) = await CaptureReservationAsync(10_000_000, 10_000_000);
                return (ProtocolMethods.RefundRedirectV1, GspRequests.RefundSyncV1(captureId, 1_000_000), GspRequests.RefundSyncV1(captureId, 2_000_000));
            }
            case "captureToken":
                return (ProtocolMethods.CaptureEWalletsV1, GspRequests.CaptureV1(1_000_000), GspRequests.CaptureV1(2_000_000));
            case "captureMandate":
            {
                var mandateId = await MandateAsync();
                return (ProtocolMethods.CaptureEWalletsV1, GspRequests.CaptureV1(1_000_000, mandateId: mandateId), GspRequests.CaptureV1(2_000_000, mandateId: mandateId));
            }
            case "refundWallet":
            {
                var capture = GspRequests.CaptureV1(10_000_000);
                Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.CaptureEWalletsV1, capture)).Status);
                return (ProtocolMethods.RefundEWalletsV1, GspRequests.RefundSyncV1(Id(capture), 1_000_000, piaid: Wallet), GspRequests.RefundSyncV1(Id(capture), 2_000_000, piaid: Wallet));
            }
            default:
                throw new ArgumentException(which);
        }
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task A_replay_answers_the_same_and_a_changed_body_is_IDEMPOTENCY_VIOLATION(string which)
    {
        var (method, request, changed) = await CallOfAsync(which);
        var (status, first, raw) = await Host.CallAsync(method, request);
        Assert.True(status == 200, raw);
        var (replayStatus, replay, _) = await Host.CallAsync(method, GspRequests.Refreshed(request));
        Assert.Equal(200, replayStatus);
        Assert.Equal(Calls.WithoutHeader(first!), Calls.WithoutHeader(replay!));

        changed["requestHeader"]!["requestId"] = Id(request);
        var (violation, violationBody, _) = await Host.CallAsync(method, changed);
        Assert.Equal((412, "IDEMPOTENCY_VIOLATION"), (violation, Code(violationBody)));
        // Nothing changed: the replay still answers the first result.
        var (after, afterBody, _) = await Host.CallAsync(method, GspRequests.Refreshed(request));
        Assert.Equal((200, Calls.WithoutHeader(first!)), (after, Calls.WithoutHeader(afterBody!)));
    }
}
