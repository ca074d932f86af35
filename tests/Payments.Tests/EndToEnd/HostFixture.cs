using System.Globalization;
using System.Text.Json.Nodes;
using Payments.Core.Protocol;
using Payments.StandIns.Gsp;

namespace Payments.Tests.EndToEnd;

public sealed class HostFixture : IAsyncLifetime
{
    public LocalHostUnderTest Host { get; private set; } = null!;
    public async Task InitializeAsync() => Host = await LocalHostUnderTest.StartAsync();
    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>Calls as Google and as the integrator's store systems make them.</summary>
public static class Calls
{
    public static async Task<(int Status, JsonNode? Body, string Raw)> CallAsync(this LocalHostUnderTest host, ProtocolMethod method, JsonObject request)
    {
        var (status, raw) = await host.PostAsync(method.Route, request.ToJsonString());
        return (status, raw.Length == 0 ? null : JsonNode.Parse(raw), raw);
    }

    public static async Task<(int Status, JsonNode? Body)> PayAsync(this LocalHostUnderTest host, string piaid, string referenceNumber, string? transactionId = null, long? paidAtEpochMillis = null)
    {
        var body = new JsonObject
        {
            ["paymentIntegratorAccountId"] = piaid,
            ["paymentIntegratorTransactionId"] = transactionId ?? "STORE-" + Guid.NewGuid().ToString("N")[..12],
            ["paidAtEpochMillis"] = paidAtEpochMillis ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        };
        var (status, raw) = await host.InternalAsync(HttpMethod.Post, $"/internal/reference-numbers/{Uri.EscapeDataString(referenceNumber)}/payment", body.ToJsonString());
        return (status, raw.Length == 0 ? null : JsonNode.Parse(raw));
    }

    /// <summary>generateReferenceNumber v1, then a store payment: a paid reference number to refund.</summary>
    public static async Task<(string GenerateRequestId, string ReferenceNumber)> PaidReferenceNumberAsync(this LocalHostUnderTest host, long micros, string piaid = GspRequests.Usd, string currency = "USD")
    {
        var id = GspRequests.NewId("G");
        var (status, body, raw) = await host.CallAsync(ProtocolMethods.GenerateReferenceNumberV1, GspRequests.GenerateV1(id, micros, currency, piaid));
        Assert.True(status == 200, raw);
        var number = body!["displayableReferenceNumber"]!["barcodeWithPrintableString"]!["printableString"]!.GetValue<string>();
        var (payStatus, payBody) = await host.PayAsync(piaid, number);
        Assert.True(payStatus == 200, payBody?.ToJsonString());
        return (id, number);
    }

    /// <summary>generateReferenceNumber v2, then a store payment: a paid v2 reference number to refund.</summary>
    /// <returns>the generateReferenceNumber requestId (v2 asynchronousRefund's transactionId)</returns>
    public static async Task<string> PaidReferenceNumberV2Async(this LocalHostUnderTest host, long micros, string piaid = GspRequests.Usd)
    {
        var id = GspRequests.NewId("G");
        var (status, body, raw) = await host.CallAsync(ProtocolMethods.GenerateReferenceNumberV2, GspRequests.GenerateV2(id, micros, piaid: piaid));
        Assert.True(status == 200, raw);
        var (payStatus, payBody) = await host.PayAsync(piaid, ReferenceNumberV2(body!));
        Assert.True(payStatus == 200, payBody?.ToJsonString());
        return id;
    }

    public static string ReferenceNumberV2(JsonNode body) =>
        body["result"]!["success"]!["displayableReferenceNumber"]!["barcodeWithPrintableString"]!["printableString"]!.GetValue<string>();

    /// <summary>The response without its responseHeader: what a replay must reproduce exactly.</summary>
    public static string WithoutHeader(JsonNode body)
    {
        var copy = body.DeepClone().AsObject();
        copy.Remove("responseHeader");
        return copy.ToJsonString();
    }

    public static long ResponseMillis(JsonNode body) =>
        body["responseHeader"]!["responseTimestamp"] is JsonObject o
            ? long.Parse(o["epochMillis"]!.GetValue<string>(), CultureInfo.InvariantCulture)
            : long.Parse(body["responseHeader"]!["responseTimestamp"]!.GetValue<string>(), CultureInfo.InvariantCulture);
}
