namespace Payments.Core.BackOffice;

/// <summary>Connection and booking settings of the CRM.COM adapter (<c>BackOffice:CrmCom:*</c>); required
/// when <c>BackOffice:Provider</c> is <c>CrmCom</c> (<see cref="BackOfficeOptionsValidator"/>).</summary>
public sealed class CrmComOptions
{
    public const string Section = BackOfficeOptions.Section + ":" + nameof(BackOfficeOptions.CrmCom);

    /// <summary>Server root, e.g. <c>https://crm.example.com</c>; the API is under <c>{BaseUrl}/crmapi/rest/v2/</c>.</summary>
    public Uri? BaseUrl { get; set; }
    public string Username { get; set; } = "";
    public string Password { get; set; } = "";
    public string Organisation { get; set; } = "";
    /// <summary>Optional CRM.COM unit sent at login.</summary>
    public string? Unit { get; set; }
    /// <summary>Financial transaction type name of the payment cancellation (<c>type_identifier.name</c> of payments/cancel).</summary>
    public string PaymentCancellationType { get; set; } = "Payment Cancellation";
    /// <summary>Financial transaction type name of a refund (<c>type_identifier.name</c> of refunds/create).</summary>
    public string RefundType { get; set; } = "Refund";
    /// <summary>Financial transaction type name of the payment a synchronous capture posts (<c>type_identifier.name</c> of payments/create).</summary>
    public string PaymentType { get; set; } = "Payment";
    /// <summary>Payment method name of those payments (<c>payment_method_identifier.name</c>).</summary>
    public string PaymentMethod { get; set; } = "Google Pay";
    /// <summary>Name of the accounts receivable those payments are allocated to (<c>accounts_receivable_identifier.name</c>).</summary>
    public string AccountsReceivable { get; set; } = "Google";
    /// <summary>Timeout of one HTTP call (login, booking, look-up).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>A cached token is replaced this long after it was issued at the latest (CRM.COM tokens live 2 h,
    /// older releases 1 h idle). A JWT token is also replaced shortly before its <c>exp</c>.</summary>
    public TimeSpan TokenRefreshAfter { get; set; } = TimeSpan.FromMinutes(50);

    /// <summary><c>{BaseUrl}/crmapi/rest/v2/</c></summary>
    public Uri ApiRoot => new((BaseUrl ?? throw new InvalidOperationException($"{Section}:{nameof(BaseUrl)} is not set.")).AbsoluteUri.TrimEnd('/') + "/crmapi/rest/v2/");

    /// <summary>Never prints the password.</summary>
    public override string ToString() => $"CrmCom(base={BaseUrl}, user={Username}, organisation={Organisation})";
}
