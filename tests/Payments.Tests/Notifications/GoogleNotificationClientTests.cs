using Microsoft.Extensions.Options;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Payments.Core.Hosting;
using Payments.Core.Notifications;
using Payments.Core.Security;
using Payments.StandIns.Google;
using Microsoft.Extensions.Time.Testing;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Notifications;

/// <summary>The notification client against the Google stand-in over HTTP.</summary>
[Trait("Category", Category.Unit)]
public sealed class GoogleNotificationClientTests : IAsyncLifetime
{
    private readonly PlainJsonEnvelope _envelope = new();
    private GoogleStandIn _google = null!;

    public async Task InitializeAsync() => _google = await GoogleStandIn.StartAsync(_envelope);
    public async Task DisposeAsync() => await _google.DisposeAsync();

    private GoogleNotificationClient Client(TimeSpan? timeout = null, TimeProvider? time = null) => new(
        new HttpClient(), _envelope,
        new GoogleNotificationOptions { BaseUrl = _google.BaseUrl, Timeout = timeout ?? TimeSpan.FromSeconds(10) },
        time ?? TimeProvider.System, NullLogger<GoogleNotificationClient>.Instance);

    private static string Id() => "n-" + Guid.NewGuid().ToString("N");

    /// <summary>The body as received, with the requestTimestamp replaced by a marker (it changes per attempt).</summary>
    private static JsonNode Normalised(ReceivedNotification received)
    {
        var json = JsonNode.Parse(received.RawJson)!;
        var header = json["requestHeader"]!.AsObject();
        if (header["requestTimestamp"] is JsonObject ts) ts["epochMillis"] = "TS";
        else header["requestTimestamp"] = "TS";
        return json;
    }

    private static void AssertJson(string expected, JsonNode actual)
        => Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}\nactual   {actual.ToJsonString()}");

    [Fact]
    public async Task RefundResultNotification_is_the_v1_body_and_accepted()
    {
        var id = Id();
        var attempt = await Client().SendAsync(new RefundResultNotification("InvisiCashUSA_USD", id, "refund-req-1", "SUCCESS"), default);

        Assert.Equal(NotificationOutcome.Accepted, attempt.Outcome);
        Assert.Equal(200, attempt.HttpStatus);
        var received = Assert.Single(_google.Received);
        Assert.Equal(("refundable-one-time-payment-code", 1, "refundResultNotification", "InvisiCashUSA_USD"), (received.Api, received.Version, received.Method, received.PaymentIntegratorAccountId));
        AssertJson($$"""
            {"requestHeader":{"protocolVersion":{"major":1,"minor":0,"revision":0},"requestId":"{{id}}","requestTimestamp":"TS"},
             "paymentIntegratorAccountId":"InvisiCashUSA_USD","refundRequestId":"refund-req-1","refundResult":"SUCCESS"}
            """, Normalised(received));
        Assert.Equal(attempt.RequestTimestampMillis, received.RequestTimestampMillis);
        Assert.Empty(_google.Violations);
    }

    [Fact]
    public async Task CancelFundsReservationResultNotification_is_the_v1_body_and_accepted()
    {
        var id = Id();
        var attempt = await Client().SendAsync(new CancelFundsReservationResultNotification("SpeedyPaymentsIndia_INR", id, "reserve-cancel-7"), default);

        Assert.Equal(NotificationOutcome.Accepted, attempt.Outcome);
        var received = Assert.Single(_google.Received);
        Assert.Equal(("redirect-payment-token", 1, "cancelFundsReservationResultNotification"), (received.Api, received.Version, received.Method));
        AssertJson($$"""
            {"requestHeader":{"protocolVersion":{"major":1,"minor":0,"revision":0},"requestId":"{{id}}","requestTimestamp":"TS"},
             "paymentIntegratorAccountId":"SpeedyPaymentsIndia_INR","cancelFundsReservationRequestId":"reserve-cancel-7","cancelFundsReservationResult":"SUCCESS"}
            """, Normalised(received));
    }

    [Fact]
    public async Task ReferenceNumberPaidNotification_v1_is_the_v1_body_and_accepted()
    {
        var id = Id();
        var attempt = await Client().SendAsync(new ReferenceNumberPaidNotificationV1("InvisiCashIN_INR", id, "txn-9", "1234-5678", 1_700_000_000_123,
            new PaymentLocation("QuickMart", "store-42")), default);

        Assert.Equal(NotificationOutcome.Accepted, attempt.Outcome);
        var received = Assert.Single(_google.Received);
        AssertJson($$"""
            {"requestHeader":{"protocolVersion":{"major":1,"minor":0,"revision":0},"requestId":"{{id}}","requestTimestamp":"TS"},
             "paymentIntegratorAccountId":"InvisiCashIN_INR","paymentIntegratorTransactionId":"txn-9","referenceNumber":"1234-5678",
             "paymentTimestamp":"1700000000123","paymentLocation":{"brandName":"QuickMart","locationId":"store-42"} }
            """, Normalised(received));

        var withoutLocation = await Client().SendAsync(new ReferenceNumberPaidNotificationV1("InvisiCashIN_INR", Id(), "txn-10", "1234-9999", 1), default);
        Assert.Equal(NotificationOutcome.Accepted, withoutLocation.Outcome);
        Assert.DoesNotContain("paymentLocation", _google.Received[1].RawJson);
    }

    [Fact]
    public async Task ReferenceNumberPaidNotification_v2_is_the_v2_body_and_accepted()
    {
        var id = Id();
        var attempt = await Client().SendAsync(new ReferenceNumberPaidNotificationV2("InvisiCashUSA_USD", id, "txn-1", "gen-ref-req-1", 1_700_000_000_999), default);

        Assert.Equal(NotificationOutcome.Accepted, attempt.Outcome);
        var received = Assert.Single(_google.Received);
        Assert.Equal(("refundable-one-time-payment-code", 2, "referenceNumberPaidNotification", "InvisiCashUSA_USD"), (received.Api, received.Version, received.Method, received.PaymentIntegratorAccountId));
        AssertJson($$"""
            {"requestHeader":{"protocolVersion":{"major":2},"requestId":"{{id}}","requestTimestamp":{"epochMillis":"TS"},"paymentIntegratorAccountId":"InvisiCashUSA_USD"},
             "paymentIntegratorTransactionId":"txn-1","generateReferenceNumberRequestId":"gen-ref-req-1","paymentTimestamp":{"epochMillis":"1700000000999"} }
            """, Normalised(received));
    }

    [Theory]
    [InlineData("SUCCESS", "success")]
    [InlineData("NO_MONEY_LEFT_ON_TRANSACTION", "noMoneyLeftOnTransaction")]
    [InlineData("ACCOUNT_CLOSED", "accountClosed")]
    [InlineData("ACCOUNT_CLOSED_ACCOUNT_TAKEN_OVER", "accountClosedAccountTakenOver")]
    [InlineData("ACCOUNT_CLOSED_FRAUD", "accountClosedFraud")]
    [InlineData("ACCOUNT_ON_HOLD", "accountOnHold")]
    [InlineData("REFUND_EXCEEDS_MAXIMUM_BALANCE", "refundExceedsMaximumBalance")]
    [InlineData("REFUND_WINDOW_EXCEEDED", "refundWindowExceeded")]
    public async Task RefundResultNotification_v2_is_the_v2_body_with_the_result_as_a_union_member_and_accepted(string result, string member)
    {
        var id = Id();
        var attempt = await Client().SendAsync(new RefundResultNotificationV2("InvisiCashUSA_USD", id, "refund-req-2", "GSP-0123456789AB", result), default);

        Assert.Equal(NotificationOutcome.Accepted, attempt.Outcome);
        var received = Assert.Single(_google.Received);
        Assert.Equal(("refundable-one-time-payment-code", 2, "refundResultNotification", "InvisiCashUSA_USD"), (received.Api, received.Version, received.Method, received.PaymentIntegratorAccountId));
        AssertJson($$$"""
            {"requestHeader":{"protocolVersion":{"major":2},"requestId":"{{{id}}}","requestTimestamp":{"epochMillis":"TS"},"paymentIntegratorAccountId":"InvisiCashUSA_USD"},
             "refundRequestId":"refund-req-2","paymentIntegratorRefundId":"GSP-0123456789AB","result":{"{{{member}}}":{} } }
            """, Normalised(received));
        Assert.Empty(_google.Violations);
    }

    [Theory]
    [InlineData("""{"accepted":{}}""", true)]
    [InlineData("""{"success":{}}""", true)] // tolerant: another v2 notification's answer
    [InlineData("\"SUCCESS\"", false)]
    [InlineData("""{"accepted":"yes"}""", false)]
    [InlineData("{}", false)]
    public void A_v2_refund_result_counts_as_delivered_on_accepted_or_success_only(string result, bool delivered) =>
        Assert.Equal(delivered, new RefundResultNotificationV2("P", "n", "r", "c", "SUCCESS").IsSuccess(JsonDocument.Parse(result).RootElement));

    [Fact]
    public async Task A_different_v2_refund_result_under_an_accepted_requestId_is_refused_and_recorded_as_a_violation()
    {
        var id = Id();
        var client = Client();
        Assert.Equal(NotificationOutcome.Accepted, (await client.SendAsync(new RefundResultNotificationV2("P1", id, "r", "c", "SUCCESS"), default)).Outcome);
        Assert.Equal(NotificationOutcome.Accepted, (await client.SendAsync(new RefundResultNotificationV2("P1", id, "r", "c", "SUCCESS"), default)).Outcome);
        var conflicting = await client.SendAsync(new RefundResultNotificationV2("P1", id, "r", "c", "ACCOUNT_CLOSED"), default);

        Assert.Equal(NotificationOutcome.Rejected, conflicting.Outcome);
        Assert.Equal(412, conflicting.HttpStatus);
        Assert.Equal(id, Assert.Single(_google.Violations).RequestId);
    }

    [Fact]
    public void Url_is_base_api_version_method_piaid()
    {
        var client = new GoogleNotificationClient(new HttpClient(), _envelope,
            new GoogleNotificationOptions { BaseUrl = new Uri("https://vgw.sandbox.google.com/gsp") }, TimeProvider.System, NullLogger<GoogleNotificationClient>.Instance);
        Assert.Equal("https://vgw.sandbox.google.com/gsp/refundable-one-time-payment-code-v1/refundResultNotification/InvisiCashUSA_USD",
            client.UrlFor(new RefundResultNotification("InvisiCashUSA_USD", "x", "r", "SUCCESS")).AbsoluteUri);
        Assert.Equal("https://vgw.sandbox.google.com/gsp/redirect-payment-token-v1/cancelFundsReservationResultNotification/P",
            client.UrlFor(new CancelFundsReservationResultNotification("P", "x", "r")).AbsoluteUri);
        Assert.Equal("https://vgw.sandbox.google.com/gsp/refundable-one-time-payment-code-v2/referenceNumberPaidNotification/P",
            client.UrlFor(new ReferenceNumberPaidNotificationV2("P", "x", "t", "g", 1)).AbsoluteUri);
        Assert.Equal("https://vgw.sandbox.google.com/gsp/refundable-one-time-payment-code-v2/refundResultNotification/P",
            client.UrlFor(new RefundResultNotificationV2("P", "x", "r", "c", "SUCCESS")).AbsoluteUri);
    }

    [Fact]
    public async Task RequestId_is_stable_and_timestamps_fresh_across_retries()
    {
        _google.Policy = new GoogleFaultPolicy { FailFirstAttempts = 2 };
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var client = Client(time: time);
        var notification = new RefundResultNotification("InvisiCashUSA_USD", Id(), "refund-req-2", "NO_MONEY_LEFT_ON_TRANSACTION");

        var attempts = new List<NotificationAttempt>();
        for (var i = 0; i < 3; i++)
        {
            attempts.Add(await client.SendAsync(notification, default));
            time.Advance(TimeSpan.FromMilliseconds(1500));
        }

        Assert.Equal([NotificationOutcome.Failed, NotificationOutcome.Failed, NotificationOutcome.Accepted], attempts.Select(a => a.Outcome));
        Assert.Equal([503, 503, 200], attempts.Select(a => a.HttpStatus));
        var received = _google.AttemptsFor(notification.NotificationRequestId);
        Assert.Equal([1, 2, 3], received.Select(r => r.Attempt));
        Assert.All(received, r => Assert.Equal(notification.NotificationRequestId, r.RequestId));
        Assert.Equal(3, received.Select(r => r.RequestTimestampMillis).Distinct().Count());
        Assert.Equal(attempts.Select(a => (long?)a.RequestTimestampMillis), received.Select(r => r.RequestTimestampMillis));
        Assert.Single(received.Select(r => string.Join(",", r.Fields.Select(kv => kv.Key + "=" + kv.Value))).Distinct());
        Assert.Equal("NO_MONEY_LEFT_ON_TRANSACTION", received[2].Fields["refundResult"]);
    }

    [Fact]
    public async Task Service_unavailable_is_a_failed_attempt_with_the_status()
    {
        _google.Policy = new GoogleFaultPolicy { FailFirstAttempts = 1, FirstAttemptsFault = GoogleFault.ServiceUnavailable };
        var attempt = await Client().SendAsync(new RefundResultNotification("P1", Id(), "r", "SUCCESS"), default);
        Assert.Equal(NotificationOutcome.Failed, attempt.Outcome);
        Assert.Equal(503, attempt.HttpStatus);
        Assert.Contains("503", attempt.Detail);
    }

    [Fact]
    public async Task Garbage_200_is_a_failed_attempt()
    {
        _google.Policy = new GoogleFaultPolicy { FailFirstAttempts = 1, FirstAttemptsFault = GoogleFault.GarbageOk };
        var attempt = await Client().SendAsync(new CancelFundsReservationResultNotification("P1", Id(), "r"), default);
        Assert.Equal(NotificationOutcome.Failed, attempt.Outcome);
        Assert.Equal(200, attempt.HttpStatus);
        Assert.DoesNotContain("<html>", attempt.Detail);
    }

    [Fact]
    public async Task Hang_past_the_timeout_is_a_failed_attempt_without_status()
    {
        _google.Policy = new GoogleFaultPolicy { FailFirstAttempts = 1, FirstAttemptsFault = GoogleFault.Hang, HangFor = TimeSpan.FromSeconds(10) };
        var started = DateTimeOffset.UtcNow;
        var attempt = await Client(timeout: TimeSpan.FromMilliseconds(400)).SendAsync(new RefundResultNotification("P1", Id(), "r", "SUCCESS"), default);
        Assert.Equal(NotificationOutcome.Failed, attempt.Outcome);
        Assert.Null(attempt.HttpStatus);
        Assert.Contains("timed out", attempt.Detail);
        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ErrorResponse_is_a_rejected_attempt_with_the_code(bool v2)
    {
        _google.Policy = new GoogleFaultPolicy { FailFirstAttempts = 1, FirstAttemptsFault = GoogleFault.ErrorResponse, ErrorResponseStatus = 400, ErrorResponseCode = "INVALID_FIELD_VALUE" };
        GoogleNotification notification = v2
            ? new ReferenceNumberPaidNotificationV2("P1", Id(), "t", "g", 1)
            : new RefundResultNotification("P1", Id(), "r", "SUCCESS");
        var attempt = await Client().SendAsync(notification, default);
        Assert.Equal(NotificationOutcome.Rejected, attempt.Outcome);
        Assert.Equal(400, attempt.HttpStatus);
        Assert.Equal(v2 ? "invalidFieldValue" : "INVALID_FIELD_VALUE", attempt.ErrorCode);
    }

    [Fact]
    public async Task Transport_error_is_a_failed_attempt()
    {
        var client = new GoogleNotificationClient(new HttpClient(), _envelope,
            new GoogleNotificationOptions { BaseUrl = new Uri("http://127.0.0.1:9/gsp"), Timeout = TimeSpan.FromSeconds(3) }, TimeProvider.System, NullLogger<GoogleNotificationClient>.Instance);
        var attempt = await client.SendAsync(new RefundResultNotification("P1", Id(), "r", "SUCCESS"), default);
        Assert.Equal(NotificationOutcome.Failed, attempt.Outcome);
        Assert.Null(attempt.HttpStatus);
        Assert.Contains("transport error", attempt.Detail);
    }

    [Fact]
    public async Task A_different_result_under_an_accepted_requestId_is_refused_and_recorded_as_a_violation()
    {
        var id = Id();
        var client = Client();
        Assert.Equal(NotificationOutcome.Accepted, (await client.SendAsync(new RefundResultNotification("P1", id, "r", "SUCCESS"), default)).Outcome);
        Assert.Equal(NotificationOutcome.Accepted, (await client.SendAsync(new RefundResultNotification("P1", id, "r", "SUCCESS"), default)).Outcome);
        var conflicting = await client.SendAsync(new RefundResultNotification("P1", id, "r", "ACCOUNT_CLOSED"), default);

        Assert.Equal(NotificationOutcome.Rejected, conflicting.Outcome);
        Assert.Equal(412, conflicting.HttpStatus);
        Assert.Equal("IDEMPOTENCY_VIOLATION", conflicting.ErrorCode);
        var violation = Assert.Single(_google.Violations);
        Assert.Equal(id, violation.RequestId);
        Assert.Single(_google.AcceptedNotifications);
    }

    [Fact]
    public async Task Random_share_and_refuse_beyond_are_deterministic()
    {
        _google.Policy = new GoogleFaultPolicy { RandomFailureShare = 0.5, RandomSeed = 7, RefuseBeyondCalls = 8 };
        var client = Client();
        var outcomes = new List<NotificationOutcome>();
        for (var i = 0; i < 12; i++) outcomes.Add((await client.SendAsync(new RefundResultNotification("P1", Id(), "r" + i, "SUCCESS"), default)).Outcome);
        Assert.Contains(NotificationOutcome.Failed, outcomes.Take(8));
        Assert.Contains(NotificationOutcome.Accepted, outcomes.Take(8));
        Assert.All(outcomes.Skip(8), o => Assert.Equal(NotificationOutcome.Failed, o));

        _google.Reset();
        _google.Policy = new GoogleFaultPolicy { RandomFailureShare = 0.5, RandomSeed = 7, RefuseBeyondCalls = 8 };
        var again = new List<NotificationOutcome>();
        for (var i = 0; i < 12; i++) again.Add((await client.SendAsync(new RefundResultNotification("P1", Id(), "r" + i, "SUCCESS"), default)).Outcome);
        Assert.Equal(outcomes, again);
    }

    [Fact]
    public async Task Caller_cancellation_throws()
    {
        _google.Policy = new GoogleFaultPolicy { FailFirstAttempts = 1, FirstAttemptsFault = GoogleFault.Hang, HangFor = TimeSpan.FromSeconds(10) };
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client().SendAsync(new RefundResultNotification("P1", Id(), "r", "SUCCESS"), cts.Token));
    }

    [Fact]
    public async Task Invalid_request_id_is_an_argument_error()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Client().SendAsync(new RefundResultNotification("P1", "has space", "r", "SUCCESS"), default));
        await Assert.ThrowsAsync<ArgumentException>(() => Client().SendAsync(new RefundResultNotification("P1", new string('a', 101), "r", "SUCCESS"), default));
    }

    [Fact]
    public async Task Stand_in_refuses_a_stale_timestamp()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-5));
        var attempt = await Client(time: time).SendAsync(new RefundResultNotification("P1", Id(), "r", "SUCCESS"), default);
        Assert.Equal(NotificationOutcome.Rejected, attempt.Outcome);
        Assert.Equal("REQUEST_TIMESTAMP_OUT_OF_RANGE", attempt.ErrorCode);
        Assert.Single(_google.Violations);
    }

    [Fact]
    public async Task Registration_reads_Google_BaseUrl_and_uses_the_registered_envelope()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Google:BaseUrl"] = _google.BaseUrl.ToString() }).Build();
        await using var sp = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(config).AddSingleton<IMessageEnvelope>(_envelope).AddGoogleNotifications().BuildServiceProvider();
        var attempt = await sp.GetRequiredService<IGoogleNotificationClient>().SendAsync(new RefundResultNotification("P1", Id(), "r", "SUCCESS"), default);
        Assert.Equal(NotificationOutcome.Accepted, attempt.Outcome);

        await using var missing = new ServiceCollection().AddSingleton<IConfiguration>(new ConfigurationBuilder().Build()).AddGoogleNotifications().BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => missing.GetRequiredService<IOptions<GoogleNotificationOptions>>().Value);
        Assert.Contains("Google__BaseUrl", ex.Message);
    }}

/// <summary>The Google stand-in's own checks, spoken to with raw HTTP.</summary>
[Trait("Category", Category.Unit)]
public sealed class GoogleStandInTests
{
    [Theory]
    [InlineData("refundable-one-time-payment-code-v2/referenceNumberPaidNotification/P1",
        """{"requestHeader":{"protocolVersion":{"major":1,"minor":0,"revision":0},"requestId":"a1","requestTimestamp":"NOW"},"paymentIntegratorTransactionId":"t","generateReferenceNumberRequestId":"g","paymentTimestamp":{"epochMillis":"1"}}""",
        "INVALID_API_VERSION")]
    [InlineData("refundable-one-time-payment-code-v1/refundResultNotification/P1",
        """{"requestHeader":{"protocolVersion":{"major":1,"minor":0,"revision":0},"requestId":"a2","requestTimestamp":"NOW"},"paymentIntegratorAccountId":"OTHER","refundRequestId":"r","refundResult":"SUCCESS"}""",
        "INVALID_IDENTIFIER")]
    [InlineData("refundable-one-time-payment-code-v1/refundResultNotification/P1",
        """{"requestHeader":{"protocolVersion":{"major":1,"minor":0,"revision":0},"requestId":"a3","requestTimestamp":"NOW"},"paymentIntegratorAccountId":"P1","refundResult":"SUCCESS"}""",
        "MISSING_REQUIRED_FIELD")]
    [InlineData("refundable-one-time-payment-code-v2/refundResultNotification/P1",
        """{"requestHeader":{"protocolVersion":{"major":2},"requestId":"a4","requestTimestamp":{"epochMillis":"NOW"},"paymentIntegratorAccountId":"P1"},"refundRequestId":"r","paymentIntegratorRefundId":"c","result":{"success":{},"accountClosed":{}}}""",
        "INVALID_FIELD_VALUE")]
    [InlineData("refundable-one-time-payment-code-v2/refundResultNotification/P1",
        """{"requestHeader":{"protocolVersion":{"major":2},"requestId":"a5","requestTimestamp":{"epochMillis":"NOW"},"paymentIntegratorAccountId":"P1"},"refundRequestId":"r","paymentIntegratorRefundId":"c","result":"SUCCESS"}""",
        "INVALID_FIELD_VALUE")]
    [InlineData("refundable-one-time-payment-code-v2/refundResultNotification/P1",
        """{"requestHeader":{"protocolVersion":{"major":2},"requestId":"a6","requestTimestamp":{"epochMillis":"NOW"},"paymentIntegratorAccountId":"P1"},"refundRequestId":"r","result":{"success":{}}}""",
        "MISSING_REQUIRED_FIELD")]
    public async Task Malformed_notifications_are_refused_and_recorded(string route, string body, string code)
    {
        await using var google = await GoogleStandIn.StartAsync(new PlainJsonEnvelope());
        using var http = new HttpClient();
        var json = body.Replace("NOW", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await http.PostAsync(new Uri(google.BaseUrl + "/" + route), new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        Assert.NotEqual(200, (int)response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var parts = code.ToLowerInvariant().Split('_');
        var v2Member = parts[0] + string.Concat(parts.Skip(1).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
        if (route.Contains("-v2/", StringComparison.Ordinal))
            Assert.Equal(v2Member, ((JsonObject)answer["errorResponseResult"]!).First().Key); // v2: the camelCase member
        else
            Assert.Equal(code, (string?)answer["errorResponseCode"]);
        Assert.Single(google.Violations);
        Assert.Empty(google.AcceptedNotifications);
    }
}
