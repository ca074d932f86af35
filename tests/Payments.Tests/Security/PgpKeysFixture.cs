using System.Text;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Security;
using Payments.Core.Security.Pgp;

namespace Payments.Tests.Security;

/// <summary>
/// gpg-made RSA keys, generated once per test class: two integrator keys (RSA-3072; the second, RSA-2048 to save time,
/// passphrase protected, for rotation), Google's key, a stranger's key and a Google key that expired a year ago.
/// All live in one gpg home, which plays Google: it signs and encrypts requests, and decrypts and
/// verifies our responses.
/// </summary>
public sealed class PgpKeysFixture : IDisposable
{
    public const string OursPassphrase = "rotation passphrase";

    public PgpKeysFixture()
    {
        Gpg = new Gpg();
        Ours1 = Gpg.GenerateKey("Integrator One <one@integrator.test>", "rsa3072", "sign", "1y");
        Gpg.AddSubkey(Ours1, "rsa3072", "encr", "1y");
        Ours2 = Gpg.GenerateKey("Integrator Two <two@integrator.test>", "rsa2048", "sign", "1y", OursPassphrase);
        Gpg.AddSubkey(Ours2, "rsa2048", "encr", "1y", OursPassphrase);
        Google = Gpg.GenerateKey("Google Payments <payments@google.test>", "rsa3072", "sign", "1y");
        Gpg.AddSubkey(Google, "rsa3072", "encr", "1y");
        Stranger = Gpg.GenerateKey("Stranger <stranger@elsewhere.test>", "rsa2048", "sign", "1y");
        // Made two years ago with a one-year life: expired now, but still configured as Google's.
        ExpiredGoogle = Gpg.GenerateKey("Google Old <old@google.test>", "rsa2048", "sign", "1y", fakedTime: ExpiredKeyTime);

        Ours1Secret = Gpg.ExportSecret(Ours1);
        Ours2Secret = Gpg.ExportSecret(Ours2, OursPassphrase);
        Ours1Public = Gpg.ExportPublic(Ours1);
        Ours2Public = Gpg.ExportPublic(Ours2);
        GooglePublic = Gpg.ExportPublic(Google);
        GoogleSecret = Gpg.ExportSecret(Google);
        GooglePublicKeys = GooglePublic + "\n" + Gpg.ExportPublic(ExpiredGoogle);
    }

    public static readonly string ExpiredKeyTime = DateTime.UtcNow.AddYears(-2).ToString("yyyyMMdd'T'HHmmss");
    public static readonly string ExpiredSignTime = DateTime.UtcNow.AddYears(-2).AddDays(30).ToString("yyyyMMdd'T'HHmmss");

    public Gpg Gpg { get; }
    public string Ours1 { get; }
    public string Ours2 { get; }
    public string Google { get; }
    public string Stranger { get; }
    public string ExpiredGoogle { get; }
    public string Ours1Secret { get; }
    public string Ours2Secret { get; }
    public string Ours1Public { get; }
    public string Ours2Public { get; }
    public string GooglePublic { get; }
    public string GoogleSecret { get; }
    public string GooglePublicKeys { get; }

    // Envelopes are built once and shared (they are thread-safe): unlocking gpg's passphrase-protected
    // key runs its calibrated S2K, which is slow on a loaded machine.
    private PgpEnvelope? _single, _rotation, _googleSide;

    /// <summary>Our side with one integrator key.</summary>
    public PgpEnvelope Single() => _single ??= new(Ours1Secret, null, GooglePublicKeys);

    /// <summary>Our side during a rotation: both integrator keys (one protected by the passphrase).</summary>
    public PgpEnvelope Rotation() => _rotation ??= new(Ours1Secret + "\n" + Ours2Secret, OursPassphrase, GooglePublicKeys);

    /// <summary>Google's side, as our own envelope sees it (for round trips).</summary>
    public PgpEnvelope GoogleSide() => _googleSide ??= new(GoogleSecret, null, Ours1Public + "\n" + Ours2Public);

    /// <summary>Runs gpg over <paramref name="json"/> and returns the binary output base64url-encoded, as Google sends it.</summary>
    public byte[] GpgBody(string json, params string[] args) =>
        Encoding.ASCII.GetBytes(ToBase64Url(Gpg.Must(Encoding.UTF8.GetBytes(json), args).Stdout));

    public static string ToBase64Url(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] FromBase64Url(byte[] body)
    {
        var s = Encoding.ASCII.GetString(body).Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight((s.Length + 3) / 4 * 4, '='));
    }

    /// <summary>
    /// Encrypts already-built OpenPGP packets (e.g. a gpg-signed message) to our first key with
    /// BouncyCastle's own generator, independent of the production code: lets a test send content gpg
    /// will not encrypt itself (signatures by an expired key, no MDC).
    /// </summary>
    public byte[] WrapEncrypted(byte[] innerPackets, bool integrityProtected = true)
    {
        var ring = new PgpPublicKeyRingBundle(PgpUtilities.GetDecoderStream(new MemoryStream(Encoding.ASCII.GetBytes(Ours1Public))));
        var subkey = ring.GetKeyRings().Cast<PgpPublicKeyRing>().Single().GetPublicKeys().Cast<PgpPublicKey>().Single(k => !k.IsMasterKey);
        var generator = new PgpEncryptedDataGenerator(SymmetricKeyAlgorithmTag.Aes256, integrityProtected, new SecureRandom());
        generator.AddMethod(subkey);
        using var output = new MemoryStream();
        using (var encrypted = generator.Open(output, new byte[1 << 10])) encrypted.Write(innerPackets);
        return Encoding.ASCII.GetBytes(ToBase64Url(output.ToArray()));
    }

    public void Dispose() => Gpg.Dispose();
}
