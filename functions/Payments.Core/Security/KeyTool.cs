using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace Payments.Core.Security;

/// <summary>
/// <c>keygen</c>: makes an integrator key pair that satisfies docs/protocol.md §7 and prints the public half to
/// send to Google. The secret half goes to a file only (mode 0600 on Unix), unless <c>--print-secret</c>.
/// RSA primes come from the platform (OpenSSL: fast); BouncyCastle builds the OpenPGP packets.
/// </summary>
public static class KeyTool
{
    public const string Usage = """
        usage: keygen --user-id "Name <email>" --out <secret-key.asc> [--passphrase-env VAR | --passphrase P] [--days N] [--bits N] [--public-out <file>] [--print-secret] [--force]
               keygen --jwe --out <private-key.pem> [--bits N] [--public-out <file>] [--print-secret] [--force]
          PGP: RSA signing primary key + RSA encryption subkey, SHA-256 self-signatures, expiry --days (default 365, at most 730).
               Put the secret file's content in Security__Pgp__IntegratorPrivateKeys (and the passphrase in Security__Pgp__Passphrase).
          JWE: RSA key pair; the PKCS#8 private key goes to Security__Jwe__IntegratorPrivateKeys.
          The public key is printed (send it to Google); the secret is never printed unless --print-secret.
        """;

    public static int Run(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        Options o;
        try { o = Options.Parse(args.Length > 0 && args[0] == "keygen" ? args[1..] : args); }
        catch (ArgumentException e)
        {
            output.WriteLine(e.Message);
            output.WriteLine(Usage);
            return 2;
        }
        if (o.Help) { output.WriteLine(Usage); return 0; }

        string secret, publicKey;
        if (o.Jwe)
        {
            using var rsa = RSA.Create(o.Bits);
            secret = rsa.ExportPkcs8PrivateKeyPem() + "\n";
            publicKey = rsa.ExportSubjectPublicKeyInfoPem() + "\n";
        }
        else
        {
            (secret, publicKey) = GeneratePgp(o.UserId!, o.Passphrase, DateTime.UtcNow, TimeSpan.FromDays(o.Days), o.Bits);
        }

        try
        {
            WritePrivate(o.Out!, secret, o.Force);
            if (o.PublicOut is not null) File.WriteAllText(o.PublicOut, publicKey);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            output.WriteLine($"cannot write the key file: {e.Message}");
            return 1;
        }
        output.Write(publicKey);
        output.WriteLine();
        output.WriteLine($"Secret key written to {Path.GetFullPath(o.Out!)} (keep it secret; store it in Key Vault).");
        if (o.PrintSecret) output.Write(secret);
        return 0;
    }

    private static void WritePrivate(string path, string content, bool force)
    {
        var options = new FileStreamOptions { Mode = force ? FileMode.Create : FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(path, options);
        stream.Write(Encoding.ASCII.GetBytes(content));
    }

    /// <summary>Builds an armored OpenPGP secret and public key ring: RSA signing (and certifying)
    /// primary key plus an RSA encryption subkey, both expiring after <paramref name="validity"/>.</summary>
    internal static (string Secret, string Public) GeneratePgp(string userId, string? passphrase, DateTime createdUtc, TimeSpan validity, int bits = 3072)
    {
        var primary = NewKeyPair(bits, createdUtc);
        var subkey = NewKeyPair(bits, createdUtc);
        long seconds = (long)validity.TotalSeconds;

        var hashed = new PgpSignatureSubpacketGenerator();
        hashed.SetSignatureCreationTime(false, createdUtc);
        hashed.SetKeyFlags(false, PgpKeyFlags.CanCertify | PgpKeyFlags.CanSign);
        hashed.SetKeyExpirationTime(false, seconds);
        hashed.SetPreferredSymmetricAlgorithms(false, [(int)SymmetricKeyAlgorithmTag.Aes256, (int)SymmetricKeyAlgorithmTag.Aes192, (int)SymmetricKeyAlgorithmTag.Aes128]);
        hashed.SetPreferredHashAlgorithms(false, [(int)HashAlgorithmTag.Sha384, (int)HashAlgorithmTag.Sha512, (int)HashAlgorithmTag.Sha256]);
        hashed.SetPreferredCompressionAlgorithms(false, [(int)CompressionAlgorithmTag.Zip, (int)CompressionAlgorithmTag.ZLib, (int)CompressionAlgorithmTag.Uncompressed]);
        hashed.SetFeature(false, Org.BouncyCastle.Bcpg.Sig.Features.FEATURE_MODIFICATION_DETECTION);

        var subHashed = new PgpSignatureSubpacketGenerator();
        subHashed.SetSignatureCreationTime(false, createdUtc);
        subHashed.SetKeyFlags(false, PgpKeyFlags.CanEncryptCommunications | PgpKeyFlags.CanEncryptStorage);
        subHashed.SetKeyExpirationTime(false, seconds);

        bool protect = !string.IsNullOrEmpty(passphrase);
        // SHA-1 check (S2K usage 254) only with a passphrase: an unprotected key is written with S2K usage 0,
        // which GnuPG reads with a two-byte checksum, so a SHA-1 hash there is a "Checksum error".
        var generator = new PgpKeyRingGenerator(PgpSignature.PositiveCertification, primary, userId,
            protect ? SymmetricKeyAlgorithmTag.Aes256 : SymmetricKeyAlgorithmTag.Null, HashAlgorithmTag.Sha256,
            utf8PassPhrase: true, (passphrase ?? "").ToCharArray(), useSha1: protect, hashed.Generate(), null, new SecureRandom());
        generator.AddSubKey(subkey, subHashed.Generate(), null, HashAlgorithmTag.Sha256);

        return (Armor(generator.GenerateSecretKeyRing().GetEncoded()), Armor(generator.GeneratePublicKeyRing().GetEncoded()));
    }

    private static PgpKeyPair NewKeyPair(int bits, DateTime createdUtc)
    {
        using var rsa = RSA.Create(bits);
        var p = rsa.ExportParameters(true);
        BcBigInteger I(byte[]? v) => new(1, v!);
        var pub = new RsaKeyParameters(false, I(p.Modulus), I(p.Exponent));
        var priv = new RsaPrivateCrtKeyParameters(I(p.Modulus), I(p.Exponent), I(p.D), I(p.P), I(p.Q), I(p.DP), I(p.DQ), I(p.InverseQ));
        return new PgpKeyPair(PublicKeyAlgorithmTag.RsaGeneral, new AsymmetricCipherKeyPair(pub, priv), createdUtc);
    }

    private static string Armor(byte[] encoded)
    {
        using var ms = new MemoryStream();
        using (var armored = new ArmoredOutputStream(ms)) armored.Write(encoded, 0, encoded.Length);
        return Encoding.ASCII.GetString(ms.ToArray());
    }

    private sealed class Options
    {
        public bool Jwe, PrintSecret, Force, Help;
        public string? UserId, Out, PublicOut, Passphrase;
        public int Days = 365, Bits = 3072;

        public static Options Parse(string[] args)
        {
            var o = new Options();
            for (int i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--jwe": o.Jwe = true; break;
                    case "--print-secret": o.PrintSecret = true; break;
                    case "--force": o.Force = true; break;
                    case "--help" or "-h": o.Help = true; break;
                    case "--user-id": o.UserId = Value(); break;
                    case "--out": o.Out = Value(); break;
                    case "--public-out": o.PublicOut = Value(); break;
                    case "--passphrase": o.Passphrase = Value(); break;
                    case "--passphrase-env":
                        var name = Value();
                        o.Passphrase = Environment.GetEnvironmentVariable(name) ?? throw new ArgumentException($"environment variable {name} is not set.");
                        break;
                    case "--days": o.Days = int.TryParse(Value(), out var d) ? d : throw new ArgumentException("--days needs a number."); break;
                    case "--bits": o.Bits = int.TryParse(Value(), out var b) ? b : throw new ArgumentException("--bits needs a number."); break;
                    default: throw new ArgumentException($"unknown argument {args[i]}");
                }
            }
            if (o.Help) return o;
            if (o.Out is null) throw new ArgumentException("--out <file> is required (where the secret key is written).");
            if (!o.Jwe && string.IsNullOrWhiteSpace(o.UserId)) throw new ArgumentException("--user-id is required for a PGP key.");
            if (o.Days is < 1 or > 730) throw new ArgumentException("--days must be between 1 and 730 (keys expire after at most 2 years).");
            if (o.Bits is < 2048 or > 8192 || o.Bits % 8 != 0) throw new ArgumentException("--bits must be a multiple of 8 between 2048 and 8192.");
            if (o.Jwe && o.Passphrase is not null) throw new ArgumentException("--passphrase applies to PGP keys only.");
            return o;
        }
    }
}
