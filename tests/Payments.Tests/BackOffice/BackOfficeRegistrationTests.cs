using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Payments.Core.BackOffice;
using Payments.Core.Hosting;
using Payments.Tests.TestSupport;

namespace Payments.Tests.BackOffice;

[Trait("Category", Category.Unit)]
public sealed class BackOfficeRegistrationTests
{
    private static IConfiguration Config(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static ServiceProvider Services(IConfiguration configuration) =>
        new ServiceCollection().AddLogging().AddSingleton(configuration).AddBackOffice().BuildServiceProvider();

    /// <summary>What the start reports: the validation failure of the bound BackOffice options.</summary>
    private static OptionsValidationException Refused(IConfiguration configuration)
    {
        using var sp = Services(configuration);
        return Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<BackOfficeOptions>>().Value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("None")]
    [InlineData("none")]
    public async Task None_or_unset_books_in_the_ledger(string? provider)
    {
        await using var sp = Services(Config(("BackOffice:Provider", provider)));
        var backOffice = sp.GetRequiredService<IBackOffice>();
        Assert.IsType<LedgerOnlyBackOffice>(backOffice);
        var outcome = await backOffice.BookRefundAsync(new RefundBooking("code-1", "P", "RN1", 1, "USD", true, "r"), default);
        Assert.Equal(new BookingOutcome.Booked("ledger:code-1"), outcome);
    }

    [Fact]
    public void Unknown_provider_is_a_startup_error_naming_the_setting()
    {
        var ex = Refused(Config(("BackOffice:Provider", "Sap")));
        Assert.Contains("BackOffice__Provider", ex.Message);
        Assert.DoesNotContain("Sap", ex.Message);
    }

    [Fact]
    public void CrmCom_without_its_settings_is_a_startup_error_naming_the_missing_setting()
    {
        var ex = Refused(Config(("BackOffice:Provider", "CrmCom")));
        Assert.Contains("BackOffice__CrmCom__BaseUrl", ex.Message);

        ex = Refused(Config(
            ("BackOffice:Provider", "CrmCom"), ("BackOffice:CrmCom:BaseUrl", "https://crm.example.com"),
            ("BackOffice:CrmCom:Username", "u"), ("BackOffice:CrmCom:Organisation", "o"),
            ("BackOffice:CrmCom:PaymentCancellationType", "Payment Cancellation"), ("BackOffice:CrmCom:RefundType", "Refund")));
        Assert.Contains("BackOffice__CrmCom__Password", ex.Message);
    }

    [Fact]
    public async Task CrmCom_registers_the_adapter_as_a_typed_client_with_a_shared_session()
    {
        var config = Config(
            ("BackOffice:Provider", "CrmCom"), ("BackOffice:CrmCom:BaseUrl", "https://crm.example.com/"),
            ("BackOffice:CrmCom:Username", "u"), ("BackOffice:CrmCom:Password", "pw-secret-xyz"), ("BackOffice:CrmCom:Organisation", "o"),
            ("BackOffice:CrmCom:PaymentCancellationType", "Payment Cancellation"), ("BackOffice:CrmCom:RefundType", "Refund"));
        await using var sp = Services(config);
        Assert.IsType<CrmComBackOffice>(sp.GetRequiredService<IBackOffice>());
        Assert.Same(sp.GetRequiredService<CrmComSession>(), sp.GetRequiredService<CrmComSession>());
        Assert.Equal(new Uri("https://crm.example.com/crmapi/rest/v2/"), sp.GetRequiredService<CrmComOptions>().ApiRoot);
        Assert.DoesNotContain("pw-secret-xyz", sp.GetRequiredService<CrmComOptions>().ToString());
    }
}

[Trait("Category", Category.Unit)]
public sealed class CrmComUnitTests
{
    [Theory]
    [InlineData(1_230_000L, "1.23")]
    [InlineData(1L, "0.000001")]
    [InlineData(50_000_000L, "50")]
    [InlineData(9_223_372_036_854_775_807L, "9223372036854.775807")]
    public void Micros_convert_exactly(long micros, string expected)
        => Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), CrmComBackOffice.MicrosToAmount(micros));

    [Theory]
    [InlineData("INVALID_TOKEN", CrmComErrorKind.Authentication)]
    [InlineData("com.crm.exceptions.InvalidTokenException", CrmComErrorKind.Authentication)]
    [InlineData("expired_token", CrmComErrorKind.Authentication)]
    [InlineData("DUPLICATE_BACK_OFFICE_CODE", CrmComErrorKind.DuplicateBackOfficeCode)]
    [InlineData("NOT_FOUND", CrmComErrorKind.NotFound)]
    [InlineData("PAYMENT_ALREADY_CANCELLED", CrmComErrorKind.BusinessRefusal)]
    [InlineData("INTERNAL_ERROR", CrmComErrorKind.Fault)]
    [InlineData("SOMETHING_NEW", CrmComErrorKind.Fault)]
    [InlineData("", CrmComErrorKind.Fault)]
    public void Error_codes_are_classified(string code, CrmComErrorKind kind) => Assert.Equal(kind, CrmComErrorCodes.Classify(code).Kind);

    [Fact]
    public void Every_business_refusal_maps_to_a_gsp_refund_decline_code()
    {
        string[] gsp = ["NO_MONEY_LEFT_ON_TRANSACTION", "ACCOUNT_CLOSED", "ACCOUNT_CLOSED_ACCOUNT_TAKEN_OVER", "ACCOUNT_CLOSED_FRAUD",
            "ACCOUNT_ON_HOLD", "REFUND_EXCEEDS_MAXIMUM_BALANCE", "REFUND_WINDOW_EXCEEDED"];
        foreach (var (_, (kind, decline)) in CrmComErrorCodes.Table)
            if (kind == CrmComErrorKind.BusinessRefusal) Assert.Contains(decline, gsp);
            else Assert.Null(decline);
    }

    [Fact]
    public void Jwt_exp_shortens_the_refresh_time_and_opaque_tokens_use_the_configured_age()
    {
        var issued = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        static string B64(string s) => System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(s));
        var jwt = B64("{\"alg\":\"HS256\"}") + "." + B64($"{{\"iat\":{issued.ToUnixTimeSeconds()},\"exp\":{issued.AddHours(2).ToUnixTimeSeconds()}}}") + ".sig";
        Assert.Equal(issued.AddMinutes(50), CrmComSession.RefreshTime(jwt, issued, TimeSpan.FromMinutes(50)));
        Assert.Equal(issued.AddHours(2).AddMinutes(-5), CrmComSession.RefreshTime(jwt, issued, TimeSpan.FromHours(3)));
        Assert.Equal(issued.AddMinutes(50), CrmComSession.RefreshTime("B8D7A12E9F91AFADE914B7330AFD08CB", issued, TimeSpan.FromMinutes(50)));
        var shortJwt = B64("{}") + "." + B64($"{{\"iat\":{issued.ToUnixTimeSeconds()},\"exp\":{issued.AddSeconds(10).ToUnixTimeSeconds()}}}") + ".sig";
        Assert.Equal(issued.AddSeconds(9), CrmComSession.RefreshTime(shortJwt, issued, TimeSpan.FromMinutes(50)));
    }
}
