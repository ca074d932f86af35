using System.Globalization;
using System.Text.Json.Nodes;
using Payments.Core.Protocol;

namespace Payments.Tests.EndToEnd;

/// <summary>Requests as Google sends them, from the seed examples, with fresh ids and timestamps.</summary>
public static class Gsp
{
    public const string Usd = "InvisiCashUSA_USD";
    public const string Inr = "SpeedyPaymentsIndia_INR";
    public const string InrWallet = "InvisiCashIN_INR";

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

    public static JsonObject EchoV1(string? id = null) => new() { ["requestHeader"] = HeaderV1(id ?? NewId()), ["clientMessage"] = "client message" };
    public static JsonObject EchoV2(string piaid = Usd, string? id = null) => new() { ["requestHeader"] = HeaderV2(id ?? NewId(), piaid), ["clientMessage"] = "client message" };

    public static JsonObject GenerateV1(string? id = null, long micros = 2_000_000, string currency = "USD", string piaid = Usd) => new()
    {
        ["requestHeader"] = HeaderV1(id ?? NewId()),
        ["paymentIntegratorAccountId"] = piaid,
        ["transactionDescription"] = "Google - Music",
        ["userInfo"] = new JsonObject { ["noUserInfo"] = new JsonObject() },
        ["currencyCode"] = currency,
        ["amount"] = micros.ToString(CultureInfo.InvariantCulture),
    };

    public static JsonObject GenerateV2(string? id = null, long micros = 728_000_000, string currency = "USD", string piaid = Usd) => new()
    {
        ["requestHeader"] = HeaderV2(id ?? NewId(), piaid),
        ["googlePaymentToken"] = new JsonObject { ["issuerId"] = new JsonObject { ["value"] = "invisicash" }, ["token"] = "ZXhhbXBsZSB1bmlxdWUgcGF5bWVudCB0b2tlbiB2YWx1ZQ" },
        ["transactionDescription"] = "Google - Music",
        ["amount"] = Amount(micros, currency),
    };

    public static JsonObject CancelReferenceNumberV2(string generateRequestId, string? id = null, string piaid = Usd) => new()
    {
        ["requestHeader"] = HeaderV2(id ?? NewId(), piaid),
        ["generateReferenceNumberRequestId"] = generateRequestId,
    };

    public static JsonObject RefundV1(string generateRequestId, long micros, string currency = "USD", string? id = null, string piaid = Usd) => new()
    {
        ["requestHeader"] = HeaderV1(id ?? NewId()),
        ["paymentIntegratorAccountId"] = piaid,
        ["generateReferenceNumberRequestId"] = generateRequestId,
        ["refundAmount"] = Amount(micros, currency),
    };

    public static JsonObject ReserveFundsV1(string? id = null, long micros = 1_500_000_000, string currency = "INR", string piaid = Inr) => new()
    {
        ["requestHeader"] = HeaderV1(id ?? NewId()),
        ["paymentIntegratorAccountId"] = piaid,
        ["googlePaymentToken"] = "ZXhhbXBsZSB1bmlxdWUgcGF5bWVudCB0b2tlbiB2YWx1ZQ",
        ["transactionDescription"] = "Google - Movies",
        ["currencyCode"] = currency,
        ["amount"] = micros.ToString(CultureInfo.InvariantCulture),
    };

    public static JsonObject CancelFundsReservationV1(string reserveRequestId, string? id = null, string piaid = Inr) => new()
    {
        ["requestHeader"] = HeaderV1(id ?? NewId()),
        ["paymentIntegratorAccountId"] = piaid,
        ["reserveFundsRequestId"] = reserveRequestId,
    };

    public static JsonObject CreateMandateV1(string mandateId, string? id = null, string piaid = InrWallet, long? endMillis = null) => new()
    {
        ["requestHeader"] = HeaderV1(id ?? NewId()),
        ["paymentIntegratorAccountId"] = piaid,
        ["googlePaymentToken"] = "ZXhhbXBsZSB1bmlxdWUgcGF5bWVudCB0b2tlbiB2YWx1ZQ",
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
        ["requestHeader"] = HeaderV1(id ?? NewId()),
        ["paymentIntegratorAccountId"] = piaid,
        ["mandateId"] = mandateId,
    };

    public static string Route(ProtocolMethod method) => method.Route;
}
