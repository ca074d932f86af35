using Microsoft.Extensions.Options;
using Payments.Core.Configuration;

namespace Payments.Core.BackOffice;

/// <summary>The provider is known, and CRM.COM's settings are complete when it is the provider.</summary>
public sealed class BackOfficeOptionsValidator : IValidateOptions<BackOfficeOptions>
{
    public ValidateOptionsResult Validate(string? name, BackOfficeOptions options)
    {
        var provider = Settings.EnvironmentName(BackOfficeOptions.Section, nameof(BackOfficeOptions.Provider));
        if (options.IsNone) return ValidateOptionsResult.Success;
        if (!options.IsCrmCom)
            return ValidateOptionsResult.Fail($"{provider} is not supported; use '{BackOfficeOptions.ProviderNone}' or '{BackOfficeOptions.ProviderCrmCom}'.");
        var crm = options.CrmCom;
        var problems = new List<string>();
        if (crm.BaseUrl is not { IsAbsoluteUri: true } uri || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            problems.Add($"{Name(nameof(CrmComOptions.BaseUrl))} must be an absolute http(s) URL.");
        foreach (var (setting, value) in new[]
        {
            (nameof(CrmComOptions.Username), crm.Username), (nameof(CrmComOptions.Password), crm.Password),
            (nameof(CrmComOptions.Organisation), crm.Organisation), (nameof(CrmComOptions.PaymentCancellationType), crm.PaymentCancellationType),
            (nameof(CrmComOptions.RefundType), crm.RefundType), (nameof(CrmComOptions.PaymentType), crm.PaymentType),
            (nameof(CrmComOptions.PaymentMethod), crm.PaymentMethod), (nameof(CrmComOptions.AccountsReceivable), crm.AccountsReceivable),
        })
            if (string.IsNullOrWhiteSpace(value)) problems.Add($"{Name(setting)} must be set when {provider}={BackOfficeOptions.ProviderCrmCom}.");
        if (crm.Timeout <= TimeSpan.Zero) problems.Add($"{Name(nameof(CrmComOptions.Timeout))} must be positive.");
        if (options.SynchronousBookingTimeout <= TimeSpan.Zero)
            problems.Add($"{Settings.EnvironmentName(BackOfficeOptions.Section, nameof(BackOfficeOptions.SynchronousBookingTimeout))} must be positive.");
        if (crm.TokenRefreshAfter <= TimeSpan.Zero) problems.Add($"{Name(nameof(CrmComOptions.TokenRefreshAfter))} must be positive.");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static string Name(string property) => Settings.EnvironmentName(CrmComOptions.Section, property);
}
