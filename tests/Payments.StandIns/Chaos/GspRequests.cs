using System.Globalization;
using System.Text.Json.Nodes;
using Payments.Core.Protocol;

namespace Payments.StandIns.Chaos;

/// <summary>Protocol requests as Google sends them (plain JSON, before sealing), for the crash tests and the load driver.</summary>
public static class GspRequests
{
    public const string Usd = "InvisiCashUSA_USD";
    public const string Inr = "SpeedyPaymentsIndia_INR";
    public const string InrWallet = "InvisiCashIN_INR";
    private const string Token = "ZXhhbXBsZSB1bmlxdWUgcGF5bWVudCB0b2tlbiB2YWx1ZQ";

    public static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..20].ToUpperInvariant();
    public static string Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    public static JsonObject HeaderV1(string requestId) => new()
    {
        ["protocolVersion"] = new JsonObject { ["major"] = 1, ["minor"] = 0, ["revision"] = 0 },
        ["requestId"] = requestId,
        ["requestTimestamp"] = Now(),
    };

    public static JsonObject HeaderV2(string requestId, string piaid) => new()
    {
        ["protocolVersion"] = new JsonObject { ["major"] = 2 },
        ["requestId"] = requestId,
        ["requestTimestamp"] = new JsonObject { ["epochMillis"] = Now() },
        ["paymentIntegratorAccountId"] = piaid,
    };

    /// <summary>A retry as Google makes it: the same body with a fresh requestTimestamp.</summary>
    public static JsonObject Refreshed(JsonObject request)
    {
        var copy = request.DeepClone().AsObject();
        var header = copy["requestHeader"]!.AsObject();
        if (header["requestTimestamp"] is JsonObject) header["requestTimestamp"] = new JsonObject { ["epochMillis"] = Now() };
        else header["requestTimestamp"] = Now();
        return copy;
    }

    public static string RequestId(JsonObject request) => request["requestHeader"]!["requestId"]!.GetValue<string>();

    public static JsonObject Amount(long micros, string currency) => new() { ["amountMicros"] = micros.ToString(CultureInfo.InvariantCulture), ["currencyCode"] = currency };

    public static JsonObject EchoV1(string id) => new() { ["requestHeader"] = HeaderV1(id), ["clientMessage"] = "client message" };
    public static JsonObject EchoV2(string id, string piaid = Usd) => new() { ["requestHeader"] = HeaderV2(id, piaid), ["clientMessage"] = "client message" };

    public static JsonObject GenerateV1(string id, long micros, string currency = "USD", string piaid = Usd) => new()
    {
        ["requestHeader"] = HeaderV1(id),
        ["paymentIntegratorAccountId"] = piaid,
        ["transactionDescription"] = "Google - Music",
        ["userInfo"] = new JsonObject { ["noUserInfo"] = new JsonObject() },
        ["currencyCode"] = currency,
        ["amount"] = micros.ToString(CultureInfo.InvariantCulture),
    };

    public static JsonObject GenerateV2(string id, long micros, string currency = "USD", string piaid = Usd) => new()
    {
        ["requestHeader"] = HeaderV2(id, piaid),
        ["googlePaymentToken"] = new JsonObject { ["issuerId"] = new JsonObject { ["value"] = "invisicash" }, ["token"] = Token },
        ["transactionDescription"] = "Google - Music",
        ["amount"] = Amount(micros, currency),
    };

    public static JsonObject CancelReferenceNumberV2(string generateRequestId, string id, string piaid = Usd) => new()
    {
        ["requestHeader"] = HeaderV2(id, piaid),
        ["generateReferenceNumberRequestId"] = generateRequestId,
    };

    public static JsonObject RefundV1(string generateRequestId, long micros, string id, string currency = "USD", string piaid = Usd) => new()
    {
        ["requestHeader"] = HeaderV1(id),
        ["paymentIntegratorAccountId"] = piaid,
        ["generateReferenceNumberRequestId"] = generateRequestId,
        ["refundAmount"] = Amount(micros, currency),
    };

    public static JsonObject ReserveFundsV1(string id, long micros = 1_500_000_000, string currency = "INR", string piaid = Inr) => new()
    {
        ["requestHeader"] = HeaderV1(id),
        ["paymentIntegratorAccountId"] = piaid,
        ["googlePaymentToken"] = Token,
        ["transactionDescription"] = "Google - Movies",
        ["currencyCode"] = currency,
        ["amount"] = micros.ToString(CultureInfo.InvariantCulture),
    };

    public static JsonObject CancelFundsReservationV1(string reserveRequestId, string id, string piaid = Inr) => new()
    {
        ["requestHeader"] = HeaderV1(id),
        ["paymentIntegratorAccountId"] = piaid,
        ["reserveFundsRequestId"] = reserveRequestId,
    };

    public static JsonObject CreateMandateV1(string mandateId, string id, string piaid = InrWallet) => new()
    {
        ["requestHeader"] = HeaderV1(id),
        ["paymentIntegratorAccountId"] = piaid,
        ["googlePaymentToken"] = Token,
        ["mandateId"] = mandateId,
        ["mandateName"] = "Google - Music",
        ["mandateDescription"] = "Monthly subscription for Google - Music",
        ["startDate"] = new JsonObject { ["epochMillis"] = Now() },
        ["endDate"] = new JsonObject { ["epochMillis"] = DateTimeOffset.UtcNow.AddYears(1).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) },
        ["maximumAmount"] = Amount(728_000_000, "INR"),
        ["frequency"] = "MONTHLY",
    };

    public static JsonObject CancelMandateV1(string mandateId, string id, string piaid = InrWallet) => new()
    {
        ["requestHeader"] = HeaderV1(id),
        ["paymentIntegratorAccountId"] = piaid,
        ["mandateId"] = mandateId,
    };

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

    public static string Route(ProtocolMethod method) => method.Route;
}
