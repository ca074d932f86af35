using System.Text.Json;
using System.Text.Json.Nodes;
using Payments.Core.Protocol;
using Payments.Core.Transactions;
using Payments.StandIns.Gsp;

namespace Payments.Tests.EndToEnd;

/// <summary>Every method's success shape over HTTP, on the local host and real Azurite.</summary>
public sealed class ProtocolMethodsTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private LocalHostUnderTest Host => fixture.Host;

    [Theory]
    [InlineData("refundable-one-time-payment-code-v1/echo", 1)]
    [InlineData("redirect-payment-token-v1/echo", 1)]
    [InlineData("e-wallets-v1/echo", 1)]
    [InlineData("refundable-one-time-payment-code-v2/echo", 2)]
    public async Task Echo_returns_the_client_message_in_every_family(string route, int version)
    {
        var request = version == 1 ? GspRequests.EchoV1() : GspRequests.EchoV2();
        var (status, raw) = await Host.PostAsync(route, request.ToJsonString());
        Assert.Equal(200, status);
        var body = JsonNode.Parse(raw)!;
        Assert.Equal("client message", body["clientMessage"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(body["serverMessage"]!.GetValue<string>()));
        if (version == 1) Assert.Equal(JsonValueKind.String, body["responseHeader"]!["responseTimestamp"]!.GetValueKind());
        else Assert.NotNull(body["responseHeader"]!["responseTimestamp"]!["epochMillis"]);
    }

    [Fact]
    public async Task GenerateReferenceNumber_v1_returns_a_printable_and_barcode_number()
    {
        var (status, body, raw) = await Host.CallAsync(ProtocolMethods.GenerateReferenceNumberV1, GspRequests.GenerateV1());
        Assert.True(status == 200, raw);
        var display = body!["displayableReferenceNumber"]!["barcodeWithPrintableString"]!;
        var number = display["printableString"]!.GetValue<string>();
        Assert.Matches("^[1-9][0-9]{15}$", number);
        Assert.Equal(number, display["barcodeContents"]!.GetValue<string>());
        Assert.Equal(JsonValueKind.String, body["responseHeader"]!["responseTimestamp"]!.GetValueKind());
    }

    [Fact]
    public async Task GenerateReferenceNumber_v2_returns_success_with_a_displayable_number_and_numbers_are_unique()
    {
        var numbers = new HashSet<string>();
        for (var i = 0; i < 20; i++)
        {
            var (status, body, raw) = await Host.CallAsync(ProtocolMethods.GenerateReferenceNumberV2, GspRequests.GenerateV2());
            Assert.True(status == 200, raw);
            Assert.True(numbers.Add(Calls.ReferenceNumberV2(body!)));
            Assert.NotNull(body!["responseHeader"]!["responseTimestamp"]!["epochMillis"]);
        }
    }

    [Fact]
    public async Task CancelReferenceNumber_v2_cancels_an_active_number_and_then_a_payment_is_refused()
    {
        var generateId = GspRequests.NewId("G");
        var (_, generated, _) = await Host.CallAsync(ProtocolMethods.GenerateReferenceNumberV2, GspRequests.GenerateV2(generateId));
        var number = Calls.ReferenceNumberV2(generated!);

        var (status, body, raw) = await Host.CallAsync(ProtocolMethods.CancelReferenceNumberV2, GspRequests.CancelReferenceNumberV2(generateId));
        Assert.True(status == 200, raw);
        Assert.Equal("""{"success":{}}""", body!["result"]!.ToJsonString());

        var (payStatus, _) = await Host.PayAsync(GspRequests.Usd, number);
        Assert.Equal(409, payStatus);

        // Cancelling again (new requestId) is still success.
        var (again, againBody, _) = await Host.CallAsync(ProtocolMethods.CancelReferenceNumberV2, GspRequests.CancelReferenceNumberV2(generateId));
        Assert.Equal(200, again);
        Assert.Equal("""{"success":{}}""", againBody!["result"]!.ToJsonString());
    }

    [Fact]
    public async Task CancelReferenceNumber_after_payment_answers_referenceNumberAlreadyPaid()
    {
        var generateId = GspRequests.NewId("G");
        var (_, generated, _) = await Host.CallAsync(ProtocolMethods.GenerateReferenceNumberV2, GspRequests.GenerateV2(generateId));
        var (payStatus, payBody) = await Host.PayAsync(GspRequests.Usd, Calls.ReferenceNumberV2(generated!));
        Assert.Equal(200, payStatus);
        Assert.Equal("PAID", payBody!["status"]!.GetValue<string>());

        var (status, body, _) = await Host.CallAsync(ProtocolMethods.CancelReferenceNumberV2, GspRequests.CancelReferenceNumberV2(generateId));
        Assert.Equal(200, status);
        Assert.Equal("""{"referenceNumberAlreadyPaid":{}}""", body!["result"]!.ToJsonString());
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(long.MaxValue)] // beyond any date: once a 500
    [InlineData(253402300799999L)] // 9999-12-31
    public async Task A_payment_time_before_1970_or_in_the_future_is_refused_and_changes_nothing(long paidAtEpochMillis)
    {
        var (_, generated, _) = await Host.CallAsync(ProtocolMethods.GenerateReferenceNumberV1, GspRequests.GenerateV1());
        var number = generated!["displayableReferenceNumber"]!["barcodeWithPrintableString"]!["printableString"]!.GetValue<string>();
        var (status, body) = await Host.PayAsync(GspRequests.Usd, number, paidAtEpochMillis: paidAtEpochMillis);
        Assert.True(status == 400, body?.ToJsonString());
        Assert.Contains("paidAtEpochMillis", body!.ToJsonString());
        // The number is still payable.
        Assert.Equal(200, (await Host.PayAsync(GspRequests.Usd, number)).Status);
    }

    [Fact]
    public async Task Payment_report_is_idempotent_and_a_second_transaction_is_refused()
    {
        var (_, generated, _) = await Host.CallAsync(ProtocolMethods.GenerateReferenceNumberV1, GspRequests.GenerateV1());
        var number = generated!["displayableReferenceNumber"]!["barcodeWithPrintableString"]!["printableString"]!.GetValue<string>();
        var first = await Host.PayAsync(GspRequests.Usd, number, "STORE-1");
        var repeat = await Host.PayAsync(GspRequests.Usd, number, "STORE-1");
        var other = await Host.PayAsync(GspRequests.Usd, number, "STORE-2");
        Assert.Equal(200, first.Status);
        Assert.Equal(200, repeat.Status);
        Assert.Equal(first.Body!["notificationRequestId"]!.ToJsonString(), repeat.Body!["notificationRequestId"]!.ToJsonString());
        Assert.Equal(409, other.Status);
        Assert.Equal(404, (await Host.PayAsync(GspRequests.Usd, "1234567890123456")).Status);
        Assert.Equal(404, (await Host.PayAsync(GspRequests.Inr, number)).Status); // numbers are per account
    }

    [Fact]
    public async Task Internal_routes_require_the_key()
    {
        var (status, _) = await Host.InternalAsync(HttpMethod.Post, "/internal/reference-numbers/1234/payment", "{}", key: null);
        Assert.Equal(401, status);
        (status, _) = await Host.InternalAsync(HttpMethod.Get, $"/internal/operations/{GspRequests.Usd}/X1", key: "wrong");
        Assert.Equal(401, status);
        (status, _) = await Host.InternalAsync(HttpMethod.Get, "/health", key: null);
        Assert.Equal(200, status);
    }

    [Fact]
    public async Task AsynchronousRefund_v1_is_acknowledged_against_a_paid_number_and_recorded_for_finishing()
    {
        var (generateId, _) = await Host.PaidReferenceNumberAsync(2_000_000);
        var refundId = GspRequests.NewId("R");
        var (status, body, raw) = await Host.CallAsync(ProtocolMethods.AsynchronousRefundV1, GspRequests.RefundV1(generateId, 500_000, id: refundId));
        Assert.True(status == 200, raw);
        Assert.Equal("""{"acknowledged":{}}""", body!["result"]!.ToJsonString());

        var (recordStatus, record) = await Host.InternalAsync(HttpMethod.Get, $"/internal/operations/{GspRequests.Usd}/{refundId}");
        Assert.True(recordStatus == 200, record);
        var call = JsonNode.Parse(record)!["calls"]![0]!;
        Assert.Equal("refundable-one-time-payment-code-v1.asynchronousRefund", call["method"]!.GetValue<string>());
        var operation = call["operation"]!;
        Assert.Equal("Refund", operation[nameof(OperationRow.Kind)]!.GetValue<string>());
        Assert.Equal(500_000, operation[nameof(OperationRow.AmountMicros)]!.GetValue<long>());
        Assert.Equal("USD", operation[nameof(OperationRow.CurrencyCode)]!.GetValue<string>());
        Assert.Equal("refunds", operation[nameof(OperationRow.Queue)]!.GetValue<string>());
        Assert.StartsWith("N-", operation[nameof(OperationRow.NotificationRequestId)]!.GetValue<string>());
        Assert.Equal(500_000, call["transactionState"]![nameof(ReferenceNumberRow.RefundedMicros)]!.GetValue<long>());
    }

    [Fact]
    public async Task ReserveFunds_and_CancelFundsReservation_v1()
    {
        var reserveId = GspRequests.NewId("F");
        var (status, body, raw) = await Host.CallAsync(ProtocolMethods.ReserveFundsV1, GspRequests.ReserveFundsV1(reserveId));
        Assert.True(status == 200, raw);
        Assert.Equal("SUCCESS", body!["result"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(body["paymentIntegratorTransactionId"]!.GetValue<string>()));
        var expires = long.Parse(body["expirationTimestamp"]!.GetValue<string>());
        Assert.InRange(expires, DateTimeOffset.UtcNow.AddDays(6).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.AddDays(8).ToUnixTimeMilliseconds());

        var cancelId = GspRequests.NewId("C");
        var (cancelStatus, cancelBody, cancelRaw) = await Host.CallAsync(ProtocolMethods.CancelFundsReservationV1, GspRequests.CancelFundsReservationV1(reserveId, cancelId));
        Assert.True(cancelStatus == 200, cancelRaw);
        Assert.Equal("SUCCESS", cancelBody!["result"]!.GetValue<string>());

        // Already cancelled: still a successful cancel (docs/protocol.md §6).
        var (again, againBody, _) = await Host.CallAsync(ProtocolMethods.CancelFundsReservationV1, GspRequests.CancelFundsReservationV1(reserveId));
        Assert.Equal(200, again);
        Assert.Equal("SUCCESS", againBody!["result"]!.GetValue<string>());

        var (_, record) = await Host.InternalAsync(HttpMethod.Get, $"/internal/operations/{GspRequests.Inr}/{cancelId}");
        var operation = JsonNode.Parse(record)!["calls"]![0]!["operation"]!;
        Assert.Equal("ReservationCancellation", operation[nameof(OperationRow.Kind)]!.GetValue<string>());
        Assert.Equal("reservation-cancellations", operation[nameof(OperationRow.Queue)]!.GetValue<string>());
    }

    [Fact]
    public async Task CreateMandate_and_CancelMandate_v1_including_already_cancelled_and_by_create_request_id()
    {
        var mandateId = "Gbsdfju4bnQgdHJXPFWSDhgdka4" + Guid.NewGuid().ToString("N")[..8];
        var createId = GspRequests.NewId("M");
        var (status, body, raw) = await Host.CallAsync(ProtocolMethods.CreateMandateV1, GspRequests.CreateMandateV1(mandateId, createId));
        Assert.True(status == 200, raw);
        Assert.Equal("SUCCESS", body!["result"]!.GetValue<string>());

        var (cancel, cancelBody, _) = await Host.CallAsync(ProtocolMethods.CancelMandateV1, GspRequests.CancelMandateV1(mandateId));
        Assert.Equal(200, cancel);
        Assert.Equal("SUCCESS", cancelBody!["result"]!.GetValue<string>());
        var (again, againBody, _) = await Host.CallAsync(ProtocolMethods.CancelMandateV1, GspRequests.CancelMandateV1(mandateId));
        Assert.Equal(200, again);
        Assert.Equal("SUCCESS", againBody!["result"]!.GetValue<string>());
        // Found by the createMandate requestId too (docs/protocol.md §6).
        var (byRequest, _, _) = await Host.CallAsync(ProtocolMethods.CancelMandateV1, GspRequests.CancelMandateV1(createId));
        Assert.Equal(200, byRequest);
    }

    [Fact]
    public async Task An_expired_mandate_cancels_with_success()
    {
        var mandateId = GspRequests.NewId("MD");
        var create = GspRequests.CreateMandateV1(mandateId, endMillis: DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeMilliseconds());
        create["startDate"] = new JsonObject { ["epochMillis"] = DateTimeOffset.UtcNow.AddDays(-30).ToUnixTimeMilliseconds().ToString() };
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.CreateMandateV1, create)).Status);
        var (status, body, _) = await Host.CallAsync(ProtocolMethods.CancelMandateV1, GspRequests.CancelMandateV1(mandateId));
        Assert.Equal(200, status);
        Assert.Equal("SUCCESS", body!["result"]!.GetValue<string>());
    }
}
