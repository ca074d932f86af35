using System.Text.Json.Nodes;
using Payments.Core.Protocol;
using Payments.Core.Transactions;
using Payments.StandIns.Gsp;
using Payments.Tests.TestSupport;

namespace Payments.Tests.EndToEnd;

/// <summary>RORPC v1 cancelReferenceNumber and v2 asynchronousRefund over HTTP (docs/protocol.md §6 and
/// "Decisions: cancel v1, refund v2"): every answer, every refusal, and that a refusal changes nothing.</summary>
[Trait("Category", Category.EndToEnd)]
public sealed class CancelV1RefundV2Tests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private LocalHostUnderTest Host => fixture.Host;

    private async Task<(string GenerateId, string Number)> GenerateV1Async()
    {
        var id = GspRequests.NewId("G");
        var (status, body, raw) = await Host.CallAsync(ProtocolMethods.GenerateReferenceNumberV1, GspRequests.GenerateV1(id));
        Assert.True(status == 200, raw);
        return (id, GspRequests.ReferenceNumberOf(body)!);
    }

    private async Task<(string GenerateId, string Number)> GenerateV2Async(long micros = 728_000_000)
    {
        var id = GspRequests.NewId("G");
        var (status, body, raw) = await Host.CallAsync(ProtocolMethods.GenerateReferenceNumberV2, GspRequests.GenerateV2(id, micros));
        Assert.True(status == 200, raw);
        return (id, GspRequests.ReferenceNumberOf(body)!);
    }

    private async Task<string> PaidV2Async(long micros)
    {
        var (id, number) = await GenerateV2Async(micros);
        Assert.Equal(200, (await Host.PayAsync(GspRequests.Usd, number)).Status);
        return id;
    }

    private async Task<JsonNode> StateAsync(string requestId)
    {
        var (status, record) = await Host.InternalAsync(HttpMethod.Get, $"/internal/operations/{GspRequests.Usd}/{requestId}");
        Assert.True(status == 200, record);
        return JsonNode.Parse(record)!["calls"]![0]!["transactionState"]!;
    }

    private async Task ExpectV1ErrorAsync(JsonObject request, int status, string code)
    {
        var (actual, body, raw) = await Host.CallAsync(ProtocolMethods.CancelReferenceNumberV1, request);
        Assert.True(actual == status, raw);
        Assert.Equal(code, body!["errorResponseCode"]!.GetValue<string>());
    }

    private async Task ExpectV2ErrorAsync(JsonObject request, int status, string member)
    {
        var (actual, body, raw) = await Host.CallAsync(ProtocolMethods.AsynchronousRefundV2, request);
        Assert.True(actual == status, raw);
        Assert.True(body!["errorResponseResult"]!.AsObject().ContainsKey(member), raw);
    }

    [Fact]
    public async Task CancelReferenceNumber_v1_cancels_an_active_number_by_its_number_and_a_payment_is_then_refused()
    {
        var (generateId, number) = await GenerateV1Async();
        var (status, body, raw) = await Host.CallAsync(ProtocolMethods.CancelReferenceNumberV1, GspRequests.CancelReferenceNumberV1(number));
        Assert.True(status == 200, raw);
        Assert.Equal("SUCCESS", body!["result"]!.GetValue<string>());
        Assert.Equal(409, (await Host.PayAsync(GspRequests.Usd, number)).Status);
        Assert.Equal(ReferenceNumberStatus.Cancelled, (await StateAsync(generateId))[nameof(ReferenceNumberRow.Status)]!.GetValue<string>());

        // Already cancelled (a new requestId): still SUCCESS.
        var (again, againBody, _) = await Host.CallAsync(ProtocolMethods.CancelReferenceNumberV1, GspRequests.CancelReferenceNumberV1(number));
        Assert.Equal(200, again);
        Assert.Equal("SUCCESS", againBody!["result"]!.GetValue<string>());
    }

    [Fact]
    public async Task CancelReferenceNumber_v1_of_a_paid_number_answers_REFERENCE_NUMBER_ALREADY_PAID_and_leaves_it_paid()
    {
        var (generateId, number) = await Host.PaidReferenceNumberAsync(2_000_000);
        var (status, body, raw) = await Host.CallAsync(ProtocolMethods.CancelReferenceNumberV1, GspRequests.CancelReferenceNumberV1(number));
        Assert.True(status == 200, raw);
        Assert.Equal("REFERENCE_NUMBER_ALREADY_PAID", body!["result"]!.GetValue<string>());
        Assert.Equal(ReferenceNumberStatus.Paid, (await StateAsync(generateId))[nameof(ReferenceNumberRow.Status)]!.GetValue<string>());
        // Still refundable: the cancellation changed nothing.
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.AsynchronousRefundV1, GspRequests.RefundV1(generateId, 1_000_000))).Status);
    }

    [Fact]
    public async Task CancelReferenceNumber_v1_of_an_unknown_number_another_accounts_or_a_v2_number_is_404_and_changes_nothing()
    {
        await ExpectV1ErrorAsync(GspRequests.CancelReferenceNumberV1("1234567890123456"), 404, "INVALID_IDENTIFIER");

        var (_, v1Number) = await GenerateV1Async();
        await ExpectV1ErrorAsync(GspRequests.CancelReferenceNumberV1(v1Number, piaid: GspRequests.Inr), 404, "INVALID_IDENTIFIER");

        // The families are separate APIs: a v2 number is not one v1 knows.
        var (v2Id, v2Number) = await GenerateV2Async();
        await ExpectV1ErrorAsync(GspRequests.CancelReferenceNumberV1(v2Number), 404, "INVALID_IDENTIFIER");
        Assert.Equal(ReferenceNumberStatus.Active, (await StateAsync(v2Id))[nameof(ReferenceNumberRow.Status)]!.GetValue<string>());
        Assert.Equal(200, (await Host.PayAsync(GspRequests.Usd, v2Number)).Status);
        Assert.Equal(200, (await Host.PayAsync(GspRequests.Usd, v1Number)).Status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task CancelReferenceNumber_v1_without_a_number_is_MISSING_REQUIRED_FIELD(string? number)
    {
        var request = GspRequests.CancelReferenceNumberV1("x");
        if (number is null) request.Remove("referenceNumber"); else request["referenceNumber"] = number;
        await ExpectV1ErrorAsync(request, 400, "MISSING_REQUIRED_FIELD");
    }

    [Fact]
    public async Task A_v1_cancel_and_a_store_payment_racing_leave_exactly_one_winner_every_time()
    {
        // 50 races: the state's ETag decides, and the answers agree with what was stored.
        for (var i = 0; i < 50; i++)
        {
            var (generateId, number) = await GenerateV1Async();
            var cancel = Host.CallAsync(ProtocolMethods.CancelReferenceNumberV1, GspRequests.CancelReferenceNumberV1(number));
            var pay = Host.PayAsync(GspRequests.Usd, number);
            await Task.WhenAll(cancel, pay);
            var (cancelStatus, cancelBody, raw) = await cancel;
            Assert.True(cancelStatus == 200, raw);
            var paid = (await pay).Status == 200;
            Assert.Equal(paid ? "REFERENCE_NUMBER_ALREADY_PAID" : "SUCCESS", cancelBody!["result"]!.GetValue<string>());
            var stored = (await StateAsync(generateId))[nameof(ReferenceNumberRow.Status)]!.GetValue<string>();
            Assert.Equal(paid ? ReferenceNumberStatus.Paid : ReferenceNumberStatus.Cancelled, stored);
        }
    }

    [Fact]
    public async Task AsynchronousRefund_v2_is_acknowledged_and_its_operation_carries_what_the_journal_and_the_v2_notification_need()
    {
        var generateId = await PaidV2Async(10_000_000);
        var refundId = GspRequests.NewId("R");
        var (status, body, raw) = await Host.CallAsync(ProtocolMethods.AsynchronousRefundV2, GspRequests.RefundV2(generateId, 4_000_000, id: refundId));
        Assert.True(status == 200, raw);
        Assert.Equal("""{"acknowledged":{}}""", body!["result"]!.ToJsonString());
        Assert.NotNull(body["responseHeader"]!["responseTimestamp"]!["epochMillis"]);

        // The operator view shows it like a v1 refund.
        var (recordStatus, record) = await Host.InternalAsync(HttpMethod.Get, $"/internal/operations/{GspRequests.Usd}/{refundId}");
        Assert.True(recordStatus == 200, record);
        var call = JsonNode.Parse(record)!["calls"]![0]!;
        Assert.Equal("refundable-one-time-payment-code-v2.asynchronousRefund", call["method"]!.GetValue<string>());
        var operation = call["operation"]!;
        Assert.Equal(OperationKinds.Refund, operation[nameof(OperationRow.Kind)]!.GetValue<string>());
        Assert.Equal(GspRequests.Usd, operation[nameof(OperationRow.PaymentIntegratorAccountId)]!.GetValue<string>());
        Assert.Equal(refundId, operation[nameof(OperationRow.RequestId)]!.GetValue<string>());
        Assert.Equal(4_000_000, operation[nameof(OperationRow.AmountMicros)]!.GetValue<long>());
        Assert.Equal("USD", operation[nameof(OperationRow.CurrencyCode)]!.GetValue<string>());
        Assert.Equal(generateId, operation[nameof(OperationRow.GenerateRequestId)]!.GetValue<string>());
        Assert.Equal(ProtocolApis.RefundableOneTimePaymentCode, operation[nameof(OperationRow.NotificationApi)]!.GetValue<string>());
        Assert.Equal(2, operation[nameof(OperationRow.NotificationVersion)]!.GetValue<int>());
        Assert.Equal("refundResultNotification", operation[nameof(OperationRow.NotificationMethod)]!.GetValue<string>());
        Assert.Equal(Operations.BackOfficeCode(GspRequests.Usd, refundId), operation[nameof(OperationRow.BackOfficeCode)]!.GetValue<string>());
        Assert.Equal(4_000_000, call["transactionState"]![nameof(ReferenceNumberRow.RefundedMicros)]!.GetValue<long>());
    }

    [Fact]
    public async Task AsynchronousRefund_v2_refusals_have_the_right_error_and_change_nothing()
    {
        var generateId = await PaidV2Async(3_000_000);
        await ExpectV2ErrorAsync(GspRequests.RefundV2(GspRequests.NewId("G"), 1_000), 404, "invalidIdentifier");
        await ExpectV2ErrorAsync(GspRequests.RefundV2(generateId, 3_000_001), 400, "preconditionViolation");
        await ExpectV2ErrorAsync(GspRequests.RefundV2(generateId, 1_000, "EUR"), 400, "preconditionViolation");
        await ExpectV2ErrorAsync(GspRequests.RefundV2(generateId, 0), 400, "invalidFieldValue");
        await ExpectV2ErrorAsync(GspRequests.RefundV2(generateId, 1_000, "XYZ"), 400, "invalidFieldValue");
        await ExpectV2ErrorAsync(GspRequests.RefundV2(generateId, 1_000, piaid: GspRequests.Inr), 404, "invalidIdentifier");
        var missing = GspRequests.RefundV2(generateId, 1_000);
        missing.Remove("transactionId");
        missing["refundAmount"]!.AsObject().Remove("currencyCode");
        var (status, body, raw) = await Host.CallAsync(ProtocolMethods.AsynchronousRefundV2, missing);
        Assert.True(status == 400, raw);
        Assert.Equal(new[] { "transactionId", "refundAmount.currencyCode" },
            body!["errorResponseResult"]!["missingRequiredField"]!["missingFieldNames"]!.AsArray().Select(n => n!.GetValue<string>()));

        // An unpaid v2 number, and a paid v1 one (the families are separate APIs).
        var (unpaid, _) = await GenerateV2Async();
        await ExpectV2ErrorAsync(GspRequests.RefundV2(unpaid, 1_000), 400, "preconditionViolation");
        var (v1Paid, _) = await Host.PaidReferenceNumberAsync(2_000_000);
        await ExpectV2ErrorAsync(GspRequests.RefundV2(v1Paid, 1_000), 404, "invalidIdentifier");
        Assert.Equal(0, (await StateAsync(v1Paid))[nameof(ReferenceNumberRow.RefundedMicros)]!.GetValue<long>());

        // Nothing was reserved: the whole payment is still refundable.
        var whole = GspRequests.RefundV2(generateId, 3_000_000);
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.AsynchronousRefundV2, whole)).Status);
        Assert.Equal(3_000_000, (await StateAsync(GspRequests.RequestId(whole)))[nameof(ReferenceNumberRow.RefundedMicros)]!.GetValue<long>());
    }

    [Fact]
    public async Task Sixteen_concurrent_v2_partial_refunds_never_exceed_the_paid_amount()
    {
        const long paid = 8_000_000, each = 1_000_000;
        var generateId = await PaidV2Async(paid);
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ =>
            Host.CallAsync(ProtocolMethods.AsynchronousRefundV2, GspRequests.RefundV2(generateId, each))));
        Assert.All(results, r => Assert.True(r.Status is 200 or 400 or 409, r.Raw));
        var accepted = results.Count(r => r.Status == 200);
        Assert.InRange(accepted, 1, (int)(paid / each));
        var probe = GspRequests.RefundV2(generateId, 1);
        var refunded = (await Host.CallAsync(ProtocolMethods.AsynchronousRefundV2, probe)).Status == 200
            ? (await StateAsync(GspRequests.RequestId(probe)))[nameof(ReferenceNumberRow.RefundedMicros)]!.GetValue<long>() - 1
            : paid;
        Assert.Equal(accepted * each, refunded);
    }

    [Fact]
    public async Task Same_requestId_with_a_different_body_is_412_for_both_methods_and_changes_nothing()
    {
        var (_, first) = await GenerateV1Async();
        var (otherId, other) = await GenerateV1Async();
        var cancelId = GspRequests.NewId("C");
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.CancelReferenceNumberV1, GspRequests.CancelReferenceNumberV1(first, cancelId))).Status);
        await ExpectV1ErrorAsync(GspRequests.CancelReferenceNumberV1(other, cancelId), 412, "IDEMPOTENCY_VIOLATION");
        Assert.Equal(ReferenceNumberStatus.Active, (await StateAsync(otherId))[nameof(ReferenceNumberRow.Status)]!.GetValue<string>());

        var generateId = await PaidV2Async(3_000_000);
        var refundId = GspRequests.NewId("R");
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.AsynchronousRefundV2, GspRequests.RefundV2(generateId, 1_000_000, id: refundId))).Status);
        await ExpectV2ErrorAsync(GspRequests.RefundV2(generateId, 1_500_000, id: refundId), 412, "idempotencyViolation");
        Assert.Equal(1_000_000, (await StateAsync(refundId))[nameof(ReferenceNumberRow.RefundedMicros)]!.GetValue<long>());
    }

    [Theory]
    [InlineData(70_000)]
    [InlineData(257)]
    public async Task A_referenceNumber_too_long_for_a_storage_key_is_INVALID_FIELD_VALUE(int length) =>
        await ExpectV1ErrorAsync(GspRequests.CancelReferenceNumberV1(new string('1', length)), 400, "INVALID_FIELD_VALUE");

    [Theory]
    [InlineData("tab\there")]
    [InlineData("1234\u202E5678")]
    public async Task A_referenceNumber_with_control_characters_is_INVALID_FIELD_VALUE(string escaped) =>
        await ExpectV1ErrorAsync(GspRequests.CancelReferenceNumberV1(System.Text.RegularExpressions.Regex.Unescape(escaped)), 400, "INVALID_FIELD_VALUE");
}
