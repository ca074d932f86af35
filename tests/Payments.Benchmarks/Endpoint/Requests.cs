using System.Globalization;
using System.Text.Json.Nodes;

namespace Payments.Benchmarks.Endpoint;

/// <summary>Google's requests (seed examples) with fresh ids and timestamps.</summary>
internal static class Requests
{
    public const string Usd = "InvisiCashUSA_USD";
    public const string Inr = "SpeedyPaymentsIndia_INR";
    public const string Wallet = "InvisiCashIN_INR";
    private static long _counter;

    public static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..16].ToUpperInvariant() + Interlocked.Increment(ref _counter).ToString(CultureInfo.InvariantCulture);
    private static string Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    public static JsonObject V1(string requestId) => new()
    {
        ["protocolVersion"] = new JsonObject { ["major"] = 1, ["minor"] = 0, ["revision"] = 0 },
        ["requestId"] = requestId,
        ["requestTimestamp"] = Now(),
    };

    public static JsonObject V2(string requestId, string piaid) => new()
    {
        ["protocolVersion"] = new JsonObject { ["major"] = 2 },
        ["requestId"] = requestId,
        ["requestTimestamp"] = new JsonObject { ["epochMillis"] = Now() },
        ["paymentIntegratorAccountId"] = piaid,
    };

    public static JsonObject Amount(long micros, string currency) => new() { ["amountMicros"] = micros.ToString(CultureInfo.InvariantCulture), ["currencyCode"] = currency };

    public static JsonObject Echo(int version) => version == 1
        ? new JsonObject { ["requestHeader"] = V1(NewId("E")), ["clientMessage"] = "client message" }
        : new JsonObject { ["requestHeader"] = V2(NewId("E"), Usd), ["clientMessage"] = "client message" };

    public static JsonObject GenerateV1(string id, long micros = 2_000_000) => new()
    {
        ["requestHeader"] = V1(id), ["paymentIntegratorAccountId"] = Usd, ["transactionDescription"] = "Google - Music",
        ["userInfo"] = new JsonObject { ["noUserInfo"] = new JsonObject() }, ["currencyCode"] = "USD", ["amount"] = micros.ToString(CultureInfo.InvariantCulture),
    };

    public static JsonObject GenerateV2(string id) => new()
    {
        ["requestHeader"] = V2(id, Usd),
        ["googlePaymentToken"] = new JsonObject { ["issuerId"] = new JsonObject { ["value"] = "invisicash" }, ["token"] = "ZXhhbXBsZSB1bmlxdWUgcGF5bWVudCB0b2tlbiB2YWx1ZQ" },
        ["transactionDescription"] = "Google - Music", ["amount"] = Amount(728_000_000, "USD"),
    };

    public static JsonObject CancelV2(string generateId) => new() { ["requestHeader"] = V2(NewId("C"), Usd), ["generateReferenceNumberRequestId"] = generateId };

    public static JsonObject Refund(string generateId, long micros) => new()
    {
        ["requestHeader"] = V1(NewId("R")), ["paymentIntegratorAccountId"] = Usd, ["generateReferenceNumberRequestId"] = generateId, ["refundAmount"] = Amount(micros, "USD"),
    };

    public static JsonObject Reserve(string id) => new()
    {
        ["requestHeader"] = V1(id), ["paymentIntegratorAccountId"] = Inr, ["googlePaymentToken"] = "ZXhhbXBsZSB1bmlxdWUgcGF5bWVudCB0b2tlbiB2YWx1ZQ",
        ["transactionDescription"] = "Google - Movies", ["currencyCode"] = "INR", ["amount"] = "1500000000",
    };

    public static JsonObject CancelReservation(string reserveId) => new() { ["requestHeader"] = V1(NewId("X")), ["paymentIntegratorAccountId"] = Inr, ["reserveFundsRequestId"] = reserveId };

    public static JsonObject CreateMandate(string mandateId) => new()
    {
        ["requestHeader"] = V1(NewId("M")), ["paymentIntegratorAccountId"] = Wallet, ["googlePaymentToken"] = "ZXhhbXBsZSB1bmlxdWUgcGF5bWVudCB0b2tlbiB2YWx1ZQ",
        ["mandateId"] = mandateId, ["mandateName"] = "Google - Music", ["frequency"] = "MONTHLY", ["maximumAmount"] = Amount(728_000_000, "INR"),
    };

    public static JsonObject CancelMandate(string mandateId) => new() { ["requestHeader"] = V1(NewId("K")), ["paymentIntegratorAccountId"] = Wallet, ["mandateId"] = mandateId };

    public static JsonObject Payment(string transactionId) => new()
    {
        ["paymentIntegratorAccountId"] = Usd, ["paymentIntegratorTransactionId"] = transactionId, ["paidAtEpochMillis"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
    };

    /// <summary>The same body with a fresh requestTimestamp: what Google's retry sends.</summary>
    public static JsonObject Retry(JsonObject request)
    {
        var copy = request.DeepClone().AsObject();
        copy["requestHeader"]!["requestTimestamp"] = copy["requestHeader"]!["requestTimestamp"] is JsonObject
            ? new JsonObject { ["epochMillis"] = Now() } : Now();
        return copy;
    }
}
