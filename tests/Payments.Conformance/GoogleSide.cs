using Payments.Core.Security.Pgp;
using Payments.Core.Security.Jwe;
using System.Text;
using Payments.Core.Security;

namespace Payments.Conformance;

/// <summary>
/// The envelopes the check seals with, all from Google's side (docs/protocol.md §7): <see cref="Google"/> signs
/// with Google's key and encrypts to the integrator (and opens the answers); the probes sign with a key Google
/// does not own (<see cref="Stranger"/>), encrypt to a key the integrator does not hold
/// (<see cref="ToUnknownKey"/>), or sign with both the stranger's and Google's key (<see cref="SeveralSigners"/>,
/// PGP only). The stranger and unknown keys are made fresh with <c>keygen</c> unless given.
/// </summary>
public sealed record GoogleSide(IMessageEnvelope Google, IMessageEnvelope? Stranger, IMessageEnvelope? ToUnknownKey, IMessageEnvelope? SeveralSigners)
{
    /// <exception cref="SecurityConfigurationException">a key file does not hold a usable key</exception>
    /// <exception cref="IOException">a key file cannot be read</exception>
    public static GoogleSide Load(ConformanceOptions options)
    {
        if (options.Security == SecurityMode.None) return new GoogleSide(new PlainJsonEnvelope(), null, null, null);
        var google = File.ReadAllText(options.GoogleKeyFile!);
        var integrator = File.ReadAllText(options.IntegratorKeyFile!);
        var (strangerSecret, _) = options.StrangerKeyFile is { } file ? (File.ReadAllText(file), "") : NewKeyPair(options.Security);
        var (_, unknownPublic) = NewKeyPair(options.Security);
        if (options.Security == SecurityMode.Jwe)
            return new GoogleSide(new JweEnvelope(google, integrator), new JweEnvelope(strangerSecret, integrator), new JweEnvelope(google, unknownPublic), null);
        var passphrase = options.GooglePassphrase;
        return new GoogleSide(
            new PgpEnvelope(google, passphrase, integrator),
            new PgpEnvelope(strangerSecret, null, integrator),
            new PgpEnvelope(google, passphrase, unknownPublic),
            // Only works when both keys share a passphrase or have none: the stranger key is ours, made without one.
            string.IsNullOrEmpty(passphrase) ? new PgpEnvelope(strangerSecret + "\n" + google, null, integrator) : null);
    }

    /// <summary>A fresh key pair (secret, public) from <see cref="KeyTool"/>, as an operator would make one.</summary>
    public static (string Secret, string Public) NewKeyPair(SecurityMode mode)
    {
        var dir = Directory.CreateTempSubdirectory("conformance-keys-");
        try
        {
            var secretFile = Path.Combine(dir.FullName, "secret");
            var publicFile = Path.Combine(dir.FullName, "public");
            string[] args = mode == SecurityMode.Jwe
                ? ["--jwe", "--bits", "2048", "--out", secretFile, "--public-out", publicFile]
                : ["--user-id", "Not Google <stranger@conformance.invalid>", "--bits", "2048", "--days", "7", "--out", secretFile, "--public-out", publicFile];
            var output = new StringWriter();
            if (KeyTool.Run(args, output) != 0) throw new InvalidOperationException("keygen failed: " + output);
            return (File.ReadAllText(secretFile, Encoding.ASCII), File.ReadAllText(publicFile, Encoding.ASCII));
        }
        finally { dir.Delete(recursive: true); }
    }
}
