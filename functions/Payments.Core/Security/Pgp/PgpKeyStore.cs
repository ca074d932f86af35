using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto.Parameters;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace Payments.Core.Security.Pgp;

/// <summary>One RSA secret (sub)key of ours, with its private operations on the platform's RSA.</summary>
internal sealed record PgpOwnKey(long PrimaryKeyId, PgpKeyInfo Info, byte[] Fingerprint, RsaPool Rsa);

/// <summary>One public (sub)key of Google's: platform RSA (when RSA) for verifying and encrypting; BouncyCastle's key as the fallback verifier.</summary>
internal sealed record PgpPeerKey(long PrimaryKeyId, PgpKeyInfo Info, PgpPublicKey Key, RsaPool? Rsa);

/// <summary>Parses the armored key settings once, at start-up. Messages name settings, never key bytes.</summary>
internal static partial class PgpKeyStore
{
    [GeneratedRegex(@"-----BEGIN PGP (PRIVATE|PUBLIC) KEY BLOCK-----.*?-----END PGP \1 KEY BLOCK-----", RegexOptions.Singleline)]
    private static partial Regex ArmorBlock();

    public static IReadOnlyList<PgpOwnKey> LoadOwn(string? armored, string? passphrase, string setting, string passphraseSetting)
    {
        var keys = new List<PgpOwnKey>();
        int blockNo = 0;
        foreach (var block in Blocks(armored, "PRIVATE", setting))
        {
            blockNo++;
            PgpSecretKeyRingBundle bundle;
            try { bundle = new PgpSecretKeyRingBundle(PgpUtilities.GetDecoderStream(new MemoryStream(block))); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new SecurityConfigurationException(setting, $"key block {blockNo} is not a readable OpenPGP secret key block.");
            }
            foreach (PgpSecretKeyRing ring in bundle.GetKeyRings())
            {
                var primary = ring.GetPublicKey();
                foreach (PgpSecretKey secret in ring.GetSecretKeys())
                {
                    var info = PgpKeyInfo.Evaluate(secret.PublicKey, primary);
                    if (!info.CanSign && !info.CanEncrypt) continue;
                    if (secret.IsPrivateKeyEmpty) continue; // gpg stub of an offline primary key
                    if (secret.PublicKey.Algorithm is not (PublicKeyAlgorithmTag.RsaGeneral or PublicKeyAlgorithmTag.RsaSign or PublicKeyAlgorithmTag.RsaEncrypt)) continue;
                    PgpPrivateKey privateKey;
                    try { privateKey = secret.ExtractPrivateKeyUtf8((passphrase ?? "").ToCharArray()); }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        throw new SecurityConfigurationException(passphraseSetting,
                            $"does not unlock key {info.KeyId:X16} of {SecurityConfigurationException.Display(setting)} (wrong or missing passphrase, or unsupported protection).");
                    }
                    if (privateKey.Key is not RsaPrivateCrtKeyParameters rsa)
                        throw new SecurityConfigurationException(setting, $"key {info.KeyId:X16} is not a usable RSA key.");
                    RsaPool pool;
                    try { pool = new RsaPool(ToRsaParameters(rsa)); }
                    catch (Exception e) when (e is CryptographicException or FormatException or ArithmeticException)
                    {
                        throw new SecurityConfigurationException(setting, $"key {info.KeyId:X16} is not a consistent RSA key.");
                    }
                    keys.Add(new PgpOwnKey(primary.KeyId, info, secret.PublicKey.GetFingerprint(), pool));
                }
            }
        }
        return keys;
    }

    public static IReadOnlyList<PgpPeerKey> LoadPeer(string? armored, string setting)
    {
        var keys = new List<PgpPeerKey>();
        int blockNo = 0;
        foreach (var block in Blocks(armored, "PUBLIC", setting))
        {
            blockNo++;
            PgpPublicKeyRingBundle bundle;
            try { bundle = new PgpPublicKeyRingBundle(PgpUtilities.GetDecoderStream(new MemoryStream(block))); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new SecurityConfigurationException(setting, $"key block {blockNo} is not a readable OpenPGP public key block.");
            }
            foreach (PgpPublicKeyRing ring in bundle.GetKeyRings())
            {
                var primary = ring.GetPublicKey();
                foreach (PgpPublicKey key in ring.GetPublicKeys())
                {
                    var info = PgpKeyInfo.Evaluate(key, primary);
                    if (!info.CanSign && !info.CanEncrypt) continue;
                    RsaPool? pool = null;
                    if (key.GetKey() is RsaKeyParameters rsa) // platform RSA: encryption, and verification ≈40× faster than BouncyCastle's
                    {
                        try
                        {
                            pool = new RsaPool(new RSAParameters
                            {
                                Modulus = rsa.Modulus.ToByteArrayUnsigned(),
                                Exponent = rsa.Exponent.ToByteArrayUnsigned(),
                            });
                        }
                        catch (CryptographicException)
                        {
                            throw new SecurityConfigurationException(setting, $"key {info.KeyId:X16} is not a usable RSA key.");
                        }
                    }
                    keys.Add(new PgpPeerKey(primary.KeyId, info, key, pool));
                }
            }
        }
        return keys;
    }

    private static IEnumerable<byte[]> Blocks(string? armored, string kind, string setting)
    {
        if (string.IsNullOrWhiteSpace(armored))
            throw new SecurityConfigurationException(setting, "is missing or empty.");
        // App settings sometimes arrive with escaped newlines when pasted on one line.
        if (!armored.Contains('\n') && armored.Contains("\\n")) armored = armored.Replace("\\r", "").Replace("\\n", "\n");
        var blocks = ArmorBlock().Matches(armored).Where(m => m.Groups[1].Value == kind).Select(m => Encoding.ASCII.GetBytes(m.Value)).ToList();
        if (blocks.Count == 0)
            throw new SecurityConfigurationException(setting, $"contains no ASCII-armored 'PGP {kind} KEY BLOCK'.");
        return blocks;
    }

    /// <summary>
    /// BouncyCastle's RSA key → .NET parameters, recomputing the CRT values from p, q, d so the OpenPGP
    /// convention (p &lt; q, u = p⁻¹ mod q) cannot leak into PKCS#1's (InverseQ = q⁻¹ mod p).
    /// </summary>
    private static RSAParameters ToRsaParameters(RsaPrivateCrtKeyParameters k)
    {
        int n = (k.Modulus.BitLength + 7) / 8, half = (n + 1) / 2;
        BcBigInteger p = k.P, q = k.Q, d = k.Exponent;
        return new RSAParameters
        {
            Modulus = Pad(k.Modulus, n),
            Exponent = k.PublicExponent.ToByteArrayUnsigned(),
            D = Pad(d, n),
            P = Pad(p, half),
            Q = Pad(q, half),
            DP = Pad(d.Mod(p.Subtract(BcBigInteger.One)), half),
            DQ = Pad(d.Mod(q.Subtract(BcBigInteger.One)), half),
            InverseQ = Pad(q.ModInverse(p), half),
        };
    }

    private static byte[] Pad(BcBigInteger value, int length) => PgpPackets.PadLeft(value.ToByteArrayUnsigned(), length);
}
