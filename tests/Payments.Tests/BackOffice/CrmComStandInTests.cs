using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Payments.StandIns.CrmCom;
using Payments.Tests.TestSupport;

namespace Payments.Tests.BackOffice;

/// <summary>The CRM.COM stand-in's wire format, spoken to with raw HTTP (independent of the adapter).</summary>
[Trait("Category", Category.Unit)]
public sealed class CrmComStandInTests : IAsyncLifetime
{
    private CrmComStandIn _crm = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync() => _crm = await CrmComStandIn.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _crm.DisposeAsync();
    }

    private Uri Api(string path) => new(_crm.BaseUrl, "crmapi/rest/v2/" + path);

    private async Task<(int Status, JsonNode Body)> PostAsync(string path, string json)
    {
        using var response = await _http.PostAsync(Api(path), new StringContent(json, Encoding.UTF8, "application/json"));
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private async Task<string> LoginAsync()
    {
        var (status, body) = await PostAsync("authentication/token",
            $$"""{"username":"{{_crm.Options.Username}}","password":"{{_crm.Options.Password}}","organisation":"{{_crm.Options.Organisation}}"}""");
        Assert.Equal(200, status);
        Assert.Equal("OK", (string?)body["status"]!["code"]);
        return (string)body["data"]!["token"]!;
    }

    [Fact]
    public async Task Payments_cancel_answers_the_seed_shape_and_enforces_the_rules()
    {
        _crm.AddPostedPayment("117", 50m);
        var token = await LoginAsync();

        var (status, body) = await PostAsync("payments/cancel", $$"""
            {"token":"{{token}}","payment_identifier":{"reference_number":"117"},"type_identifier":{"name":"Payment Cancellation"},
             "back_office_code":"bo-117","issue_reason":"Google refund r-1"}
            """);
        Assert.Equal(200, status);
        Assert.Equal("OK", (string?)body["status"]!["code"]);
        var cancellation = body["data"]!["payment_cancellation"]!;
        Assert.Equal("POSTED", (string?)cancellation["life_cycle_state"]);
        Assert.Equal(50m, (decimal)cancellation["payment_amount"]!);
        foreach (var field in new[] { "id", "number", "reference_number", "issued_on", "posted_on" }) Assert.NotNull(cancellation[field]);
        Assert.Equal("117", (string?)body["data"]!["payment"]!["reference_number"]);

        // Duplicate back_office_code, with HTTP 200 and an error envelope.
        (status, body) = await PostAsync("payments/cancel", $$"""
            {"token":"{{token}}","payment_identifier":{"reference_number":"117"},"type_identifier":{"name":"Payment Cancellation"},"back_office_code":"bo-117"}
            """);
        Assert.Equal((200, CrmComCodes.DuplicateBackOfficeCode), (status, (string?)body["status"]!["code"]));

        // Already cancelled under a new code.
        (_, body) = await PostAsync("payments/cancel", $$"""
            {"token":"{{token}}","payment_identifier":{"reference_number":"117"},"type_identifier":{"name":"Payment Cancellation"},"back_office_code":"bo-117b"}
            """);
        Assert.Equal(CrmComCodes.PaymentAlreadyCancelled, (string?)body["status"]!["code"]);

        // Two identifiers at once are refused.
        (_, body) = await PostAsync("payments/cancel", $$"""
            {"token":"{{token}}","payment_identifier":{"reference_number":"117","id":"x"},"type_identifier":{"name":"Payment Cancellation"} }
            """);
        Assert.Equal("INVALID_PARAMETER", (string?)body["status"]!["code"]);

        // Look-up by back_office_code.
        using var show = await _http.GetAsync(Api($"payment_cancellations/show?token={Uri.EscapeDataString(token)}&payment_cancellation_identifier={Uri.EscapeDataString("back_office_code=bo-117")}"));
        var shown = JsonNode.Parse(await show.Content.ReadAsStringAsync())!;
        Assert.Equal("OK", (string?)shown["status"]!["code"]);
        Assert.Equal((string?)cancellation["id"], (string?)shown["data"]!["id"]);
        Assert.Equal(1, _crm.BookingCount("bo-117"));
        Assert.Equal(2, _crm.BookingRequests("bo-117"));
    }

    [Fact]
    public async Task Token_is_required_and_expires()
    {
        await using var crm = await CrmComStandIn.StartAsync(new CrmComStandInOptions { TokenLifetime = TimeSpan.FromMilliseconds(300), JwtTokens = false });
        crm.AddPostedPayment("1", 5m);
        using var http = new HttpClient();
        async Task<string?> Code(string json)
        {
            using var r = await http.PostAsync(new Uri(crm.BaseUrl, "crmapi/rest/v2/refunds/create"), new StringContent(json, Encoding.UTF8, "application/json"));
            Assert.Equal(200, (int)r.StatusCode);
            return (string?)JsonNode.Parse(await r.Content.ReadAsStringAsync())!["status"]!["code"];
        }
        const string refund = """ "payment_identifier":{"reference_number":"1"},"type_identifier":{"name":"Refund"},"refund_amount":1.5,"back_office_code":"r1" """;
        Assert.Equal(CrmComCodes.InvalidToken, await Code("{" + refund + "}"));
        Assert.Equal(CrmComCodes.InvalidToken, await Code("""{"token":"nope",""" + refund + "}"));

        using var login = await http.PostAsJsonAsync(new Uri(crm.BaseUrl, "crmapi/rest/v2/authentication/token"),
            new Dictionary<string, string> { ["username"] = crm.Options.Username, ["password"] = crm.Options.Password, ["organisation"] = crm.Options.Organisation });
        var token = (string)JsonNode.Parse(await login.Content.ReadAsStringAsync())!["data"]!["token"]!;
        Assert.Equal(32, token.Length);
        await Task.Delay(400);
        Assert.Equal(CrmComCodes.ExpiredToken, await Code($$"""{"token":"{{token}}",""" + refund + "}"));

        using var wrong = await http.PostAsJsonAsync(new Uri(crm.BaseUrl, "crmapi/rest/v2/authentication/token"),
            new Dictionary<string, string> { ["username"] = crm.Options.Username, ["password"] = "bad", ["organisation"] = crm.Options.Organisation });
        Assert.Equal(CrmComCodes.InvalidCredentials, (string?)JsonNode.Parse(await wrong.Content.ReadAsStringAsync())!["status"]!["code"]);
    }

    [Fact]
    public async Task Refunds_never_exceed_the_payment()
    {
        _crm.AddPostedPayment("9", 10m);
        var token = await LoginAsync();
        async Task<string?> Refund(string code, string amount)
            => (string?)(await PostAsync("refunds/create", $$"""
                {"token":"{{token}}","payment_identifier":{"reference_number":"9"},"type_identifier":{"name":"Refund"},"refund_amount":{{amount}},"back_office_code":"{{code}}"}
                """)).Body["status"]!["code"];
        Assert.Equal("OK", await Refund("a", "6.5"));
        Assert.Equal(CrmComCodes.RefundAmountExceedsPayment, await Refund("b", "3.500001"));
        Assert.Equal("OK", await Refund("c", "3.5"));
        Assert.Equal(10m, _crm.GetPayment("9")!.Refunded);
        Assert.Equal(2, _crm.BookingsForPayment("9"));
    }
}
