using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Payments.Core.Configuration;

namespace Payments.Core.Security;

/// <summary>Fails closed: the mode must be set; <c>None</c> only in the Development environment; the
/// chosen mode's keys must be set (they are parsed, and checked for an active key, when the envelope is built).</summary>
public sealed class SecurityOptionsValidator(IHostEnvironment environment) : IValidateOptions<SecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        var mode = Settings.EnvironmentName(SecurityOptions.ModeSetting);
        return options.Mode?.Trim().ToUpperInvariant() switch
        {
            "PGP" => Required((PgpOptions.IntegratorPrivateKeysSetting, options.Pgp.IntegratorPrivateKeys), (PgpOptions.GooglePublicKeysSetting, options.Pgp.GooglePublicKeys)),
            "JWE" => Required((JweOptions.IntegratorPrivateKeysSetting, options.Jwe.IntegratorPrivateKeys), (JweOptions.GooglePublicKeysSetting, options.Jwe.GooglePublicKeys)),
            "NONE" when environment.IsDevelopment() => ValidateOptionsResult.Success,
            "NONE" => ValidateOptionsResult.Fail($"{mode}: 'None' (plain JSON, no signature or encryption) is allowed only in the Development environment; set Pgp or Jwe."),
            null or "" => ValidateOptionsResult.Fail($"{mode}: is not set; set Pgp, Jwe, or None (Development only)."),
            _ => ValidateOptionsResult.Fail($"{mode}: is not one of Pgp, Jwe, None."),
        };
    }

    private static ValidateOptionsResult Required(params (string Setting, string? Value)[] settings)
    {
        var missing = settings.Where(s => string.IsNullOrWhiteSpace(s.Value))
            .Select(s => $"{Settings.EnvironmentName(s.Setting)}: is not set.").ToList();
        return missing.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(missing);
    }
}
