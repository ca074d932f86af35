using Microsoft.Extensions.Configuration;
using Payments.Core.Security.Jwe;
using Payments.Core.Security.Pgp;
namespace Payments.Core.Security;

/// <summary>
/// Builds the envelope <see cref="SecurityOptions.Mode"/> chooses (register the result as a singleton: key
/// parsing is done once here). The options are validated first (<see cref="SecurityOptionsValidator"/>).
/// </summary>
public static class MessageEnvelopeFactory
{
    /// <param name="timeProvider">clock for key expiry</param>
    /// <exception cref="SecurityConfigurationException">the mode is unknown, or a key setting unusable</exception>
    public static IMessageEnvelope Create(SecurityOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Mode?.Trim().ToUpperInvariant() switch
        {
            "PGP" => new PgpEnvelope(options.Pgp.IntegratorPrivateKeys, options.Pgp.Passphrase, options.Pgp.GooglePublicKeys, timeProvider),
            "JWE" => new JweEnvelope(options.Jwe.IntegratorPrivateKeys, options.Jwe.GooglePublicKeys, timeProvider),
            "NONE" => new PlainJsonEnvelope(),
            _ => throw new SecurityConfigurationException(SecurityOptions.ModeSetting, "is not one of Pgp, Jwe, None."),
        };
    }
}
