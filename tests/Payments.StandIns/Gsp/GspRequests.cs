using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Payments.Core.Security;

namespace Payments.StandIns.Gsp;

/// <summary>
/// Requests as Google sends them (docs/protocol.md), with fresh ids and timestamps: the one builder the tests,
/// the benchmarks and the load driver share. Bodies are plain JSON; <see cref="Sealed(string, IMessageEnvelope)"/>
/// seals one with the envelope of the security mode in use.
/// </summary>
public static class GspRequests
{
    public const string Usd = "InvisiCashUSA_USD";
    public const string Inr = "SpeedyPaymentsIndia_INR";
    public const string InrWallet = "InvisiCashIN_INR";
    private const string Token = "ZXhhbXBsZSB1bmlxdWUgcGF5bWVudCB0b2tlbiB2YWx1ZQ";

    public static string NewId(string prefix = "T") => prefix + Guid.NewGuid().ToString("N")[..20].ToUpperInvariant();
    public static string Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    public static JsonObject HeaderV1(string requestId, string? timestamp = null) => new()
    {
        ["protocolVersion"] = new JsonObject { ["major"] = 1, ["minor"] = 0, ["revision"] = 0 },
        ["requestId"] = requestId,
        ["requestTimestamp"] = timestamp ?? Now(),
    };

    public static JsonObject HeaderV2(string requestId, string piaid, string? timestamp = null) => new()
    {
        ["protocolVersion"] = new JsonObject { ["major"] = 2 },
        ["requestId"] = requestId,
        ["requestTimestamp"] = new JsonObject { ["epochMillis"] = timestamp ?? Now() },
        ["paymentIntegratorAccountId"] = piaid,
    };

    public static JsonObject Amount(long micros, string currency) => new() { ["amountMicros"] = micros.ToString(CultureInfo.InvariantCulture), ["currencyCode"] = currency };

    public static JsonObject EchoV1(string? id = null) => new() { ["requestHeader"] = HeaderV1(id ?? NewId("E")), ["clientMessage"] = "client message" };
    public static JsonObject EchoV2(string piaid = Usd, string? id = null) => new() { ["requestHeader"] = HeaderV2(id ?? NewId("E"), piaid), ["clientMessage"] = "client message" };

    public static JsonObject GenerateV1(string? id = null, long micros = 2_000_000, string currency = "USD", string piaid = Usd) => new()
    {
        ["requestHeader"] = HeaderV1(id ?? NewId("G")),
        ["paymentIntegratorAccountId"] = piaid,
        ["transactionDescription"] = "Google - Music",
        ["userInfo"] = new JsonObject { ["noUserInfo"] = new JsonObject() },
        ["currencyCode"] = currency,
        ["amount"] = micros.ToString(CultureInfo.InvariantCulture),
    };

    public static JsonObject GenerateV2(string? id = null, long micros = 728_000_000, string currency = "USD", string piaid = Usd) => new()
    {
        ["requestHeader"] = HeaderV2(id ?? NewId("G"), piaid),
        ["googlePaymentToken"] = new JsonObject { ["issuerId"] = new JsonObject { ["value"] = "invisicash" }, ["token"] = Token },
        ["transactionDescription"] = "Google - Music",
        ["amount"] = Amount(micros, currency),
    };

    public static JsonObject CancelReferenceNumberV2(string generateRequestId, string? id = null, string piaid = Usd) => new()
    {
        ["requestHeader"] = HeaderV2(id ?? NewId("C"), piaid),
        ["generateReferenceNumberRequestId"] = generateRequestId,
    };

    public static JsonObject RefundV1(string generateRequestId, long micros, string currency = "USD", string? id = null, string piaid = Usd) => new()
    {
        ["requestHeader"] = HeaderV1(id ?? NewId("R")),
        ["paymentIntegratorAccountId"] = piaid,
        ["generateReferenceNumberRequestId"] = generateRequestId,
        ["refundAmount"] = Amount(micros, currency),
    };

    public static JsonObject ReserveFundsV1(string? id = null, long micros = 1_500_000_000, string currency = "INR", string piaid = Inr) => new()
    {
        ["requestHeader"] = HeaderV1(id ?? NewId("F")),
        ["paymentIntegratorAccountId"] = piaid,
        ["googlePaymentToken"] = Token,
        ["transactionDescription"] = "Google - Movies",
        ["currencyCode"] = currency,
        ["amount"] = micros.ToString(CultureInfo.InvariantCulture),
    };

    public static JsonObject CancelFundsReservationV1(string reserveRequestId, string? id = null, string piaid = Inr) => new()
    {
        ["requestHeader"] = HeaderV1(id ?? NewId("X")),
        ["paymentIntegratorAccountId"] = piaid,
        ["reserveFundsRequestId"] = reserveRequestId,
    };

    public static JsonObject CreateMandateV1(string mandateId, string? id = null, string piaid = InrWallet, long? endMillis = null) => new()
    {
        ["requestHeader"] = HeaderV1(id ?? NewId("M")),
        ["paymentIntegratorAccountId"] = piaid,
        ["googlePaymentToken"] = Token,
        ["mandateId"] = mandateId,
        ["mandateName"] = "Google - Music",
        ["mandateDescription"] = "Monthly subscription for Google - Music",
        ["startDate"] = new JsonObject { ["epochMillis"] = Now() },
        ["endDate"] = new JsonObject { ["epochMillis"] = (endMillis ?? DateTimeOffset.UtcNow.AddYears(1).ToUnixTimeMilliseconds()).ToString(CultureInfo.InvariantCulture) },
        ["maximumAmount"] = Amount(728_000_000, "INR"),
        ["frequency"] = "MONTHLY",
    };

    public static JsonObject CancelMandateV1(string mandateId, string? id = null, string piaid = InrWallet) => new()
    {
        ["requestHeader"] = HeaderV1(id ?? NewId("K")),
        ["paymentIntegratorAccountId"] = piaid,
        ["mandateId"] = mandateId,
    };

    public static JsonObject CaptureFundsReservationV1(string reserveRequestId, long micros = 1_500_000_000, string? id = null, string piaid = Inr) => new()
    {
        ["requestHeader"] = HeaderV1(id ?? NewId("P")),
        ["paymentIntegratorAccountId"] = piaid,
        ["reserveFundsRequestId"] = reserveRequestId,
        ["amount"] = micros.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The synchronous refund of redirect-payment-token v1 and e-wallets v1 (one shape).</summary>
    public static JsonObject RefundSyncV1(string captureRequestId, long micros, string currency = "INR", string? id = null, string piaid = Inr) => new()
    {
        ["requestHeader"] = HeaderV1(id ?? NewId("R")),
        ["paymentIntegratorAccountId"] = piaid,
        ["captureRequestId"] = captureRequestId,
        ["currencyCode"] = currency,
        ["refundAmount"] = micros.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>e-wallets v1 capture against a googlePaymentToken, or, with <paramref name="mandateId"/>, against that mandate.</summary>
    public static JsonObject CaptureV1(long micros = 728_000_000, string currency = "INR", string? mandateId = null, string? id = null, string piaid = InrWallet)
    {
        var request = new JsonObject
        {
            ["requestHeader"] = HeaderV1(id ?? NewId("W")),
            ["paymentIntegratorAccountId"] = piaid,
            ["transactionDescription"] = "Google - Music",
            ["currencyCode"] = currency,
            ["amount"] = micros.ToString(CultureInfo.InvariantCulture),
            ["captureContext"] = new JsonObject(),
        };
        if (mandateId is null) request["googlePaymentToken"] = Token;
        else request["mandateDetails"] = new JsonObject { ["mandateId"] = mandateId };
        return request;
    }

    public static JsonObject CancelReferenceNumberV1(string referenceNumber, string? id = null, string piaid = Usd) => new()
    {
        ["requestHeader"] = HeaderV1(id ?? NewId("C")),
        ["paymentIntegratorAccountId"] = piaid,
        ["referenceNumber"] = referenceNumber,
    };

    public static JsonObject RefundV2(string generateRequestId, long micros, string currency = "USD", string? id = null, string piaid = Usd) => new()
    {
        ["requestHeader"] = HeaderV2(id ?? NewId("R"), piaid),
        ["transactionId"] = generateRequestId,
        ["refundAmount"] = Amount(micros, currency),
    };
    /// <summary>remittanceStatementNotification v1 (refundable-one-time-payment-code, redirect-payment-token, e-wallets):
    /// the requestId is the statement id.</summary>
    public static JsonObject RemittanceStatementNotificationV1(string statementId, string piaid, DateTimeOffset periodStart, DateTimeOffset periodEnd,
        long totalDueMicros, string currency = "USD") => new()
    {
        ["requestHeader"] = HeaderV1(statementId),
        ["paymentIntegratorAccountId"] = piaid,
        ["remittanceStatementSummary"] = new JsonObject
        {
            ["statementDate"] = Millis(periodEnd.AddSeconds(1)),
            ["billingPeriod"] = new JsonObject { ["startDate"] = Millis(periodStart), ["endDate"] = Millis(periodEnd) },
            ["dateDue"] = Millis(periodEnd.AddDays(7)),
            ["currencyCode"] = currency,
            ["totalDueByIntegrator"] = totalDueMicros.ToString(CultureInfo.InvariantCulture),
            ["remittanceInstructions"] = new JsonObject { ["memoLineId"] = "stmt-" + statementId },
        },
    };

    /// <summary>remittanceStatementNotification v2 (refundable-one-time-payment-code): Timestamp objects, Amount totals, totalEvents.</summary>
    public static JsonObject RemittanceStatementNotificationV2(string statementId, string piaid, DateTimeOffset periodStart, DateTimeOffset periodEnd,
        long totalDueMicros, long? totalEvents, string currency = "USD")
    {
        var summary = new JsonObject
        {
            ["statementDate"] = new JsonObject { ["epochMillis"] = Millis(periodEnd.AddSeconds(1)) },
            ["billingPeriod"] = new JsonObject
            {
                ["startDate"] = new JsonObject { ["epochMillis"] = Millis(periodStart) },
                ["endDate"] = new JsonObject { ["epochMillis"] = Millis(periodEnd) },
            },
            ["dateDue"] = new JsonObject { ["epochMillis"] = Millis(periodEnd.AddDays(7)) },
            ["totalDueByIntegrator"] = Amount(totalDueMicros, currency),
            ["totalFeesAmount"] = Amount(0, currency),
        };
        if (totalEvents is { } n) summary["totalEvents"] = n;
        return new JsonObject { ["requestHeader"] = HeaderV2(statementId, piaid), ["remittanceStatementSummary"] = summary };
    }

    private static string Millis(DateTimeOffset at) => at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>A store payment for the internal endpoint (not Google's: plain JSON with the function key).</summary>
    public static JsonObject StorePayment(string transactionId, string piaid = Usd) => new()
    {
        ["paymentIntegratorAccountId"] = piaid,
        ["paymentIntegratorTransactionId"] = transactionId,
        ["paidAtEpochMillis"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
    };

    /// <summary>A store payment of <paramref name="referenceNumber"/> as the store systems post it to the internal
    /// route: plain JSON, the app's internal key, and the platform's function key where one is needed.</summary>
    public static HttpRequestMessage StorePaymentRequest(string referenceNumber, string transactionId, string piaid, string internalKey, string? functionKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"internal/reference-numbers/{Uri.EscapeDataString(referenceNumber)}/payment")
        {
            Content = new StringContent(StorePayment(transactionId, piaid).ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-internal-key", internalKey);
        if (functionKey is not null) request.Headers.Add("x-functions-key", functionKey);
        return request;
    }

    /// <summary>A retry as Google makes it: the same body with a fresh requestTimestamp.</summary>
    public static JsonObject Refreshed(JsonObject request)
    {
        var copy = request.DeepClone().AsObject();
        var header = copy["requestHeader"]!.AsObject();
        header["requestTimestamp"] = header["requestTimestamp"] is JsonObject ? new JsonObject { ["epochMillis"] = Now() } : Now();
        return copy;
    }

    /// <summary>The body sealed as Google sends it under the envelope's security mode (PlainJsonEnvelope for Mode=None).</summary>
    public static ByteArrayContent Sealed(string json, IMessageEnvelope envelope)
    {
        var content = new ByteArrayContent(envelope.Seal(Encoding.UTF8.GetBytes(json)));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(envelope.ContentType);
        return content;
    }

    public static ByteArrayContent Sealed(JsonObject request, IMessageEnvelope envelope) => Sealed(request.ToJsonString(), envelope);

    /// <summary>The request with its requestTimestamp set to <paramref name="at"/>, in the header style it has.</summary>
    public static JsonObject At(JsonObject request, DateTimeOffset at)
    {
        var header = request["requestHeader"]!.AsObject();
        var millis = at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        header["requestTimestamp"] = header["requestTimestamp"] is JsonObject ? new JsonObject { ["epochMillis"] = millis } : millis;
        return request;
    }

    /// <summary>The request with another PIAID where its style carries it (the v2 header, else the v1 body field).</summary>
    public static JsonObject ForAccount(JsonObject request, string piaid)
    {
        if (request["requestHeader"]!["paymentIntegratorAccountId"] is not null) request["requestHeader"]!["paymentIntegratorAccountId"] = piaid;
        else request["paymentIntegratorAccountId"] = piaid;
        return request;
    }

    public static string RequestId(JsonObject request) => request["requestHeader"]!["requestId"]!.GetValue<string>();

    /// <summary>The printable reference number of a generateReferenceNumber answer (v1 or v2).</summary>
    public static string? ReferenceNumberOf(JsonNode? body) =>
        (body?["displayableReferenceNumber"] ?? body?["result"]?["success"]?["displayableReferenceNumber"])?["barcodeWithPrintableString"]?["printableString"]?.GetValue<string>();

    /// <summary>The answer without its responseHeader: what a replay must reproduce exactly.</summary>
    public static string WithoutHeader(JsonNode body)
    {
        var copy = body.DeepClone().AsObject();
        copy.Remove("responseHeader");
        return copy.ToJsonString();
    }
}
