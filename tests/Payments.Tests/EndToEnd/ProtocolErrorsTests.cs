using System.Text.Json;
using System.Text.Json.Nodes;
using Payments.Core.Protocol;
using Payments.Core.Transactions;
using Payments.StandIns.Gsp;

namespace Payments.Tests.EndToEnd;

/// <summary>Every error row of docs/protocol.md §4 that plain JSON can produce: status, v1 code / v2 member,
/// description, our error identifier (also in the log line), and no state change.</summary>
public sealed class ProtocolErrorsTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private LocalHostUnderTest Host => fixture.Host;

    private async Task<JsonNode> ExpectV1Async(ProtocolMethod method, JsonObject request, int status, string code)
    {
        var (actual, body, raw) = await Host.CallAsync(method, request);
        Assert.True(actual == status, $"expected {status} {code}, got {actual}: {raw}");
        Assert.Equal(code, body!["errorResponseCode"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(body["errorDescription"]!.GetValue<string>()));
        var errorId = body["paymentIntegratorErrorIdentifier"]!.GetValue<string>();
        Assert.Contains(Host.Logs.Lines, line => line.Contains(errorId, StringComparison.Ordinal));
        Assert.Equal(JsonValueKind.String, body["responseHeader"]!["responseTimestamp"]!.GetValueKind());
        return body;
    }

    private async Task<JsonNode> ExpectV2Async(ProtocolMethod method, JsonObject request, int status, string member)
    {
        var (actual, body, raw) = await Host.CallAsync(method, request);
        Assert.True(actual == status, $"expected {status} {member}, got {actual}: {raw}");
        var result = body!["errorResponseResult"]!.AsObject();
        Assert.Single(result);
        Assert.True(result.ContainsKey(member), raw);
        Assert.False(string.IsNullOrWhiteSpace(body["paymentIntegratorErrorIdentifier"]!.GetValue<string>()));
        Assert.NotNull(body["responseHeader"]!["responseTimestamp"]!["epochMillis"]);
        return result[member]!;
    }

    [Fact]
    public async Task Wrong_major_version_is_INVALID_API_VERSION()
    {
        var v1 = GspRequests.EchoV1();
        v1["requestHeader"]!["protocolVersion"]!["major"] = 3;
        await ExpectV1Async(ProtocolMethods.EchoRorpcV1, v1, 400, "INVALID_API_VERSION");

        var v2 = GspRequests.CancelReferenceNumberV2("G1");
        v2["requestHeader"]!["protocolVersion"]!["major"] = 1;
        var detail = await ExpectV2Async(ProtocolMethods.CancelReferenceNumberV2, v2, 400, "invalidApiVersion");
        Assert.Equal(1, detail["requestVersion"]!["major"]!.GetValue<int>());
        Assert.Equal(2, detail["expectedVersion"]!["major"]!.GetValue<int>());
    }

    [Fact]
    public async Task Missing_fields_are_all_named()
    {
        var request = GspRequests.RefundV1("G1", 1);
        request.Remove("refundAmount");
        request["requestHeader"]!.AsObject().Remove("requestId");
        var body = await ExpectV1Async(ProtocolMethods.AsynchronousRefundV1, request, 400, "MISSING_REQUIRED_FIELD");
        Assert.Contains("refundAmount", body["errorDescription"]!.GetValue<string>());
        Assert.Contains("requestHeader.requestId", body["errorDescription"]!.GetValue<string>());

        var v2 = GspRequests.GenerateV2();
        v2["amount"]!.AsObject().Remove("currencyCode");
        v2.Remove("transactionDescription");
        var detail = await ExpectV2Async(ProtocolMethods.GenerateReferenceNumberV2, v2, 400, "missingRequiredField");
        var names = detail["missingFieldNames"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.Equal(["transactionDescription", "amount.currencyCode"], names);
    }

    [Theory]
    [InlineData(-61_000)]
    [InlineData(61_000)]
    public async Task Timestamp_more_than_60_s_off_is_REQUEST_TIMESTAMP_OUT_OF_RANGE(long offsetMillis)
    {
        var ts = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + offsetMillis).ToString();
        var v1 = GspRequests.GenerateV1();
        v1["requestHeader"]!["requestTimestamp"] = ts;
        await ExpectV1Async(ProtocolMethods.GenerateReferenceNumberV1, v1, 400, "REQUEST_TIMESTAMP_OUT_OF_RANGE");
        var v2 = GspRequests.GenerateV2();
        v2["requestHeader"]!["requestTimestamp"] = new JsonObject { ["epochMillis"] = ts };
        await ExpectV2Async(ProtocolMethods.GenerateReferenceNumberV2, v2, 400, "requestTimestampOutOfRange");
    }

    [Fact]
    public async Task Unknown_account_and_unknown_ids_are_INVALID_IDENTIFIER_404()
    {
        await ExpectV1Async(ProtocolMethods.GenerateReferenceNumberV1, GspRequests.GenerateV1(piaid: "SomeoneElse_USD"), 404, "INVALID_IDENTIFIER");
        var detail = await ExpectV2Async(ProtocolMethods.CancelReferenceNumberV2, GspRequests.CancelReferenceNumberV2(GspRequests.NewId("NOPE")), 404, "invalidIdentifier");
        Assert.False(string.IsNullOrEmpty(detail["invalidIdentifierType"]!.GetValue<string>()));
        await ExpectV2Async(ProtocolMethods.GenerateReferenceNumberV2, GspRequests.GenerateV2(piaid: "SomeoneElse_USD"), 404, "invalidIdentifier");
        await ExpectV1Async(ProtocolMethods.AsynchronousRefundV1, GspRequests.RefundV1(GspRequests.NewId("NOPE"), 1_000), 404, "INVALID_IDENTIFIER");
        await ExpectV1Async(ProtocolMethods.CancelFundsReservationV1, GspRequests.CancelFundsReservationV1(GspRequests.NewId("NOPE")), 404, "INVALID_IDENTIFIER");
        await ExpectV1Async(ProtocolMethods.CancelMandateV1, GspRequests.CancelMandateV1(GspRequests.NewId("NOPE")), 404, "INVALID_IDENTIFIER");
    }

    [Fact]
    public async Task Bad_values_are_INVALID_FIELD_VALUE()
    {
        await ExpectV1Async(ProtocolMethods.GenerateReferenceNumberV1, GspRequests.GenerateV1(currency: "XYZ"), 400, "INVALID_FIELD_VALUE");
        await ExpectV1Async(ProtocolMethods.GenerateReferenceNumberV1, GspRequests.GenerateV1(currency: "usd"), 400, "INVALID_FIELD_VALUE");
        await ExpectV1Async(ProtocolMethods.GenerateReferenceNumberV1, GspRequests.GenerateV1(micros: -5), 400, "INVALID_FIELD_VALUE");
        await ExpectV1Async(ProtocolMethods.GenerateReferenceNumberV1, GspRequests.GenerateV1(micros: 0), 400, "INVALID_FIELD_VALUE");
        await ExpectV1Async(ProtocolMethods.EchoRorpcV1, GspRequests.EchoV1("bad id with spaces"), 400, "INVALID_FIELD_VALUE");
        await ExpectV1Async(ProtocolMethods.EchoRorpcV1, GspRequests.EchoV1(new string('a', 101)), 400, "INVALID_FIELD_VALUE");
        var tooBig = GspRequests.GenerateV1();
        tooBig["amount"] = "99999999999999999999";
        await ExpectV1Async(ProtocolMethods.GenerateReferenceNumberV1, tooBig, 400, "INVALID_FIELD_VALUE");
        var retyped = GspRequests.GenerateV1();
        retyped["transactionDescription"] = 42;
        await ExpectV1Async(ProtocolMethods.GenerateReferenceNumberV1, retyped, 400, "INVALID_FIELD_VALUE");
        var v2Style = GspRequests.GenerateV1();
        v2Style["requestHeader"]!["requestTimestamp"] = new JsonObject { ["epochMillis"] = GspRequests.Now() };
        await ExpectV1Async(ProtocolMethods.GenerateReferenceNumberV1, v2Style, 400, "INVALID_FIELD_VALUE");
        var v2 = GspRequests.GenerateV2(currency: "ABC");
        await ExpectV2Async(ProtocolMethods.GenerateReferenceNumberV2, v2, 400, "invalidFieldValue");
    }

    [Fact]
    public async Task A_number_where_a_string_of_digits_is_expected_is_accepted()
    {
        var request = GspRequests.GenerateV1();
        request["amount"] = 2_000_000;
        request["requestHeader"]!["requestTimestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var (status, _, raw) = await Host.CallAsync(ProtocolMethods.GenerateReferenceNumberV1, request);
        Assert.True(status == 200, raw);
    }

    [Fact]
    public async Task Unknown_properties_are_ignored()
    {
        var request = GspRequests.EchoV1();
        request["someFutureField"] = new JsonObject { ["x"] = 1 };
        request["requestHeader"]!["userLocale"] = "en-US";
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.EchoRorpcV1, request)).Status);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[]")]
    [InlineData("")]
    [InlineData("{\"requestHeader\":{},\"requestHeader\":{}}")]
    [InlineData("{\"clientMessage\":\"a\",\"x\":{\"y\":1,\"y\":2}}")]
    public async Task Malformed_or_duplicate_key_JSON_is_INVALID_DECRYPTED_REQUEST(string json)
    {
        var (status, raw) = await Host.PostAsync(ProtocolMethods.EchoRorpcV1.Route, json);
        Assert.Equal(400, status);
        Assert.Equal("INVALID_DECRYPTED_REQUEST", JsonNode.Parse(raw)!["errorResponseCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task Refund_beyond_the_balance_or_in_another_currency_is_PRECONDITION_VIOLATION()
    {
        var (generateId, _) = await Host.PaidReferenceNumberAsync(1_000_000);
        await ExpectV1Async(ProtocolMethods.AsynchronousRefundV1, GspRequests.RefundV1(generateId, 1_000_001), 400, "PRECONDITION_VIOLATION");
        await ExpectV1Async(ProtocolMethods.AsynchronousRefundV1, GspRequests.RefundV1(generateId, 1_000, "EUR"), 400, "PRECONDITION_VIOLATION");
        // An unpaid number has nothing to refund.
        var unpaid = GspRequests.NewId("G");
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.GenerateReferenceNumberV1, GspRequests.GenerateV1(unpaid))).Status);
        await ExpectV1Async(ProtocolMethods.AsynchronousRefundV1, GspRequests.RefundV1(unpaid, 1_000), 400, "PRECONDITION_VIOLATION");
        // Errors are not stored: a retry with a valid amount under the same requestId succeeds.
        var refundId = GspRequests.NewId("R");
        await ExpectV1Async(ProtocolMethods.AsynchronousRefundV1, GspRequests.RefundV1(generateId, 2_000_000, id: refundId), 400, "PRECONDITION_VIOLATION");
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.AsynchronousRefundV1, GspRequests.RefundV1(generateId, 1_000_000, id: refundId))).Status);
    }

    [Fact]
    public async Task A_requestId_that_already_generated_a_v1_number_cannot_generate_a_v2_one()
    {
        // Both versions keep their transaction in the partition named after the requestId; the v2
        // call finds no ledger entry of its own, so only the commit tells it the state is taken.
        var id = GspRequests.NewId("G");
        var first = await Host.CallAsync(ProtocolMethods.GenerateReferenceNumberV1, GspRequests.GenerateV1(id));
        Assert.Equal(200, first.Status);
        await ExpectV2Async(ProtocolMethods.GenerateReferenceNumberV2, GspRequests.GenerateV2(id), 400, "preconditionViolation");
        var replay = await Host.CallAsync(ProtocolMethods.GenerateReferenceNumberV1, GspRequests.GenerateV1(id));
        static string Number(JsonNode? body) => body!["displayableReferenceNumber"]!["barcodeWithPrintableString"]!["printableString"]!.GetValue<string>();
        Assert.Equal(Number(first.Body), Number(replay.Body));
    }

    [Fact]
    public async Task Same_requestId_with_a_different_body_is_IDEMPOTENCY_VIOLATION_and_changes_nothing()
    {
        var (generateId, _) = await Host.PaidReferenceNumberAsync(3_000_000);
        var refundId = GspRequests.NewId("R");
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.AsynchronousRefundV1, GspRequests.RefundV1(generateId, 1_000_000, id: refundId))).Status);
        await ExpectV1Async(ProtocolMethods.AsynchronousRefundV1, GspRequests.RefundV1(generateId, 1_500_000, id: refundId), 412, "IDEMPOTENCY_VIOLATION");

        // Same key against another reference number: also 412, and no second refund.
        var (otherId, _) = await Host.PaidReferenceNumberAsync(3_000_000);
        await ExpectV1Async(ProtocolMethods.AsynchronousRefundV1, GspRequests.RefundV1(otherId, 1_000_000, id: refundId), 412, "IDEMPOTENCY_VIOLATION");
        var (_, record) = await Host.InternalAsync(HttpMethod.Get, $"/internal/operations/{GspRequests.Usd}/{refundId}");
        var calls = JsonNode.Parse(record)!["calls"]!.AsArray();
        Assert.Single(calls);
        Assert.Equal(1_000_000, calls[0]!["transactionState"]![nameof(ReferenceNumberRow.RefundedMicros)]!.GetValue<long>());

        var generateV2 = GspRequests.NewId("G");
        Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.GenerateReferenceNumberV2, GspRequests.GenerateV2(generateV2, 1_000_000))).Status);
        await ExpectV2Async(ProtocolMethods.GenerateReferenceNumberV2, GspRequests.GenerateV2(generateV2, 2_000_000), 412, "idempotencyViolation");
    }

    [Fact]
    public async Task A_mandateId_too_long_for_a_storage_key_is_INVALID_FIELD_VALUE_not_a_fault()
    {
        // Found by the mutation fuzzer: a 70 000-character mandateId made the storage URL too long (500).
        await ExpectV1Async(ProtocolMethods.CancelMandateV1, GspRequests.CancelMandateV1(new string('m', 70_000)), 400, "INVALID_FIELD_VALUE");
        await ExpectV1Async(ProtocolMethods.CreateMandateV1, GspRequests.CreateMandateV1(new string('m', 257)), 400, "INVALID_FIELD_VALUE");
        await ExpectV1Async(ProtocolMethods.CancelMandateV1, GspRequests.CancelMandateV1("tab\there"), 400, "INVALID_FIELD_VALUE");
    }

    [Fact]
    public async Task Invalid_UTF_8_inside_a_string_is_INVALID_DECRYPTED_REQUEST_not_a_fault()
    {
        // Found by the mutation fuzzer: the reader only checks UTF-8 when a string is read (500).
        var body = System.Text.Encoding.UTF8.GetBytes(GspRequests.CreateMandateV1("MANDATE" + GspRequests.NewId()).ToJsonString());
        var at = Array.IndexOf(body, (byte)'M', Array.IndexOf(body, (byte)'"', 20) + 1);
        body[Array.IndexOf(body, (byte)'N', at)] = 0x96;
        using var content = new ByteArrayContent(body);
        using var response = await Host.Http.PostAsync("/" + ProtocolMethods.CreateMandateV1.Route, content);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("INVALID_DECRYPTED_REQUEST", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errorResponseCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bodies_over_1_MiB_are_refused_before_parsing()
    {
        var request = GspRequests.EchoV1();
        request["clientMessage"] = new string('x', (1 << 20) + 10);
        var (status, _) = await Host.PostAsync(ProtocolMethods.EchoRorpcV1.Route, request.ToJsonString());
        Assert.Equal(413, status);
    }
}
