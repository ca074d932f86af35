using Microsoft.Extensions.Configuration;
using Payments.Core.Hosting;
using Payments.Core.Security.Jwe;
using Payments.Core.Security.Pgp;

namespace Payments.Core.Security;

/// <summary>
/// Builds the envelope chosen by <c>Security__Mode</c> at start-up (register the result as a singleton:
/// key parsing is done once here). Fails closed: an unset mode is an error, and <c>None</c> is refused
/// unless the environment says Development.
/// </summary>
public static class MessageEnvelopeFactory
{
    /// <exception cref="SecurityConfigurationException">mode missing/unknown, None outside Development, or a key setting unusable</exception>
    public static IMessageEnvelope Create(IConfiguration configuration) => Create(configuration, TimeProvider.System);

    /// <param name="timeProvider">clock for key expiry (tests)</param>
    /// <inheritdoc cref="Create(IConfiguration)"/>
    public static IMessageEnvelope Create(IConfiguration configuration, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var mode = configuration[SettingNames.SecurityMode]?.Trim();
        switch (mode?.ToUpperInvariant())
        {
            case "PGP":
                return new PgpEnvelope(configuration[SettingNames.PgpIntegratorPrivateKeys], configuration[SettingNames.PgpPassphrase],
                    configuration[SettingNames.PgpGooglePublicKeys], timeProvider);
            case "JWE":
                return new JweEnvelope(configuration[SettingNames.JweIntegratorPrivateKeys], configuration[SettingNames.JweGooglePublicKeys], timeProvider);
            case "NONE":
                if (!IsDevelopment(configuration))
                    throw new SecurityConfigurationException(SettingNames.SecurityMode,
                        $"'None' (plain JSON, no signature or encryption) is allowed only when {SettingNames.FunctionsEnvironment} or {SettingNames.DotnetEnvironment} is 'Development'; set Pgp or Jwe.");
                return new PlainJsonEnvelope();
            case null or "":
                throw new SecurityConfigurationException(SettingNames.SecurityMode, "is not set; set Pgp, Jwe, or None (Development only).");
            default:
                throw new SecurityConfigurationException(SettingNames.SecurityMode, "is not one of Pgp, Jwe, None.");
        }
    }

    private static bool IsDevelopment(IConfiguration configuration)
    {
        var environment = configuration[SettingNames.FunctionsEnvironment];
        if (string.IsNullOrWhiteSpace(environment)) environment = configuration[SettingNames.DotnetEnvironment];
        return string.Equals(environment?.Trim(), "Development", StringComparison.OrdinalIgnoreCase);
    }
}
