using Microsoft.Extensions.Configuration;
using Payments.Core.Hosting;

namespace Payments.Core.BackOffice;

/// <summary>Connection and booking settings of the CRM.COM adapter (<c>BackOffice:CrmCom:*</c>).</summary>
public sealed class CrmComOptions
{
    /// <summary>Server root, e.g. <c>https://crm.example.com</c>; the API is under <c>{BaseUrl}/crmapi/rest/v2/</c>.</summary>
    public required Uri BaseUrl { get; init; }
    public required string Username { get; init; }
    public required string Password { get; init; }
    public required string Organisation { get; init; }
    /// <summary>Optional CRM.COM unit sent at login.</summary>
    public string? Unit { get; init; }
    /// <summary>Financial transaction type name of the payment cancellation (<c>type_identifier.name</c> of payments/cancel).</summary>
    public string PaymentCancellationType { get; init; } = "Payment Cancellation";
    /// <summary>Financial transaction type name of a refund (<c>type_identifier.name</c> of refunds/create).</summary>
    public string RefundType { get; init; } = "Refund";
    /// <summary>Timeout of one HTTP call (login, booking, look-up).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>A cached token is replaced this long after it was issued at the latest (CRM.COM tokens live 2 h,
    /// older releases 1 h idle). A JWT token is also replaced shortly before its <c>exp</c>.</summary>
    public TimeSpan TokenRefreshAfter { get; init; } = TimeSpan.FromMinutes(50);

    /// <summary><c>{BaseUrl}/crmapi/rest/v2/</c></summary>
    public Uri ApiRoot => new(BaseUrl.AbsoluteUri.TrimEnd('/') + "/crmapi/rest/v2/");

    /// <summary>Reads <c>BackOffice:CrmCom:*</c>; throws <see cref="InvalidOperationException"/> naming the
    /// missing or malformed setting (never its value).</summary>
    public static CrmComOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        string Required(string name)
        {
            var value = configuration[name];
            if (string.IsNullOrWhiteSpace(value))
                throw new InvalidOperationException($"{SettingNames.ToEnvironmentName(name)} must be set when {SettingNames.ToEnvironmentName(SettingNames.BackOfficeProvider)}=CrmCom.");
            return value.Trim();
        }
        var baseUrl = Required(SettingNames.CrmComBaseUrl);
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            throw new InvalidOperationException($"{SettingNames.ToEnvironmentName(SettingNames.CrmComBaseUrl)} must be an absolute http(s) URL.");
        return new CrmComOptions
        {
            BaseUrl = uri,
            Username = Required(SettingNames.CrmComUsername),
            Password = configuration[SettingNames.CrmComPassword] is { Length: > 0 } p ? p : Required(SettingNames.CrmComPassword),
            Organisation = Required(SettingNames.CrmComOrganisation),
            PaymentCancellationType = Required(SettingNames.CrmComPaymentCancellationType),
            RefundType = Required(SettingNames.CrmComRefundType),
        };
    }

    /// <summary>Never prints the password.</summary>
    public override string ToString() => $"CrmCom(base={BaseUrl}, user={Username}, organisation={Organisation})";
}
