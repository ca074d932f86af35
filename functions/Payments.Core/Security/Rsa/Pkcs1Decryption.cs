using System.Numerics;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Payments.Core.Security.Rsa;

/// <summary>
/// RSAES-PKCS1-v1_5 decryption (RFC 8017 §7.2.2) without a padding oracle (Bleichenbacher): the RSA
/// operation runs without padding, then the padding is checked over every byte of the encoded message
/// with masks, and a bad one gives a random message of the expected length instead of an error
/// (implicit rejection). .NET's own PKCS#1 decryption throws on bad padding only, which is measurably slower.
/// Thread-safe: the key is read-only; each call makes its own OpenSSL context or BouncyCastle engine.
/// </summary>
internal sealed class Pkcs1Decryption
{
    private readonly OpenSslRawRsa? _openSsl;
    private readonly RsaPrivateCrtKeyParameters? _managed;
    private readonly byte[] _modulus;

    /// <param name="privateKey">an RSA private key with its CRT parameters</param>
    /// <param name="preferOpenSsl">false forces the BouncyCastle fallback (tests compare the two)</param>
    public Pkcs1Decryption(RSAParameters privateKey, bool preferOpenSsl = true)
    {
        _modulus = privateKey.Modulus!;
        _openSsl = preferOpenSsl ? OpenSslRawRsa.TryCreate(privateKey) : null;
        // Not Linux or no OpenSSL 3: BouncyCastle's managed RSA, ≈ 7× slower (≈ 14 ms per RSA-3072 operation).
        if (_openSsl is null) _managed = (RsaPrivateCrtKeyParameters)DotNetUtilities.GetRsaKeyPair(privateKey).Private;
        if (!Decrypt(SelfTestCiphertext(privateKey), out var em) || em[^1] != 2)
            throw new CryptographicException("Raw RSA decryption does not invert the public key.");
    }

    public int ModulusBytes => _modulus.Length;

    /// <summary>True when OpenSSL does the RSA operation (tests, benchmarks).</summary>
    public bool UsesOpenSsl => _openSsl is not null;

    /// <summary>
    /// The message of exactly <paramref name="length"/> bytes carried by <paramref name="ciphertext"/>, or
    /// (bad padding, another length, a number not below the modulus) random bytes of that length, in the
    /// same time. <paramref name="accepted"/> says which, for tests only: callers must not branch on it.
    /// </summary>
    public byte[] Decrypt(ReadOnlySpan<byte> ciphertext, int length, out bool accepted)
    {
        var message = RandomNumberGenerator.GetBytes(length); // drawn before anything depends on the padding
        uint ok = Decrypt(ciphertext, out var em) ? 0xFFFFFFFF : 0;
        ok &= CheckPadding(em, out int messageLength) & Equal(messageLength, length);
        Select(ok, em.AsSpan(em.Length - length), message);
        CryptographicOperations.ZeroMemory(em);
        accepted = ok != 0;
        return message;
    }

    /// <summary>
    /// The encoded message EM (<see cref="ModulusBytes"/> bytes, leading zeros kept), or false when the
    /// ciphertext is not a number below the modulus (public values: telling them apart is no oracle).
    /// </summary>
    public bool Decrypt(ReadOnlySpan<byte> ciphertext, out byte[] em)
    {
        em = new byte[_modulus.Length];
        if (ciphertext.Length != _modulus.Length || ciphertext.SequenceCompareTo(_modulus) >= 0) return false;
        if (_openSsl is not null)
        {
            _openSsl.Decrypt(ciphertext, em);
            return true;
        }
        var engine = new RsaBlindedEngine();
        engine.Init(false, _managed);
        var m = engine.ProcessBlock(ciphertext.ToArray(), 0, ciphertext.Length); // leading zeros dropped
        m.CopyTo(em, em.Length - m.Length);
        return true;
    }

    /// <summary>
    /// RFC 8017 §7.2.2 step 3 over all of <paramref name="em"/>, branch-free: all ones when EM = 0x00 ‖ 0x02 ‖
    /// PS ‖ 0x00 ‖ M with at least 8 non-zero bytes of PS, else zero; <paramref name="messageLength"/> is
    /// the length of M (meaningless when the mask is zero).
    /// </summary>
    public static uint CheckPadding(ReadOnlySpan<byte> em, out int messageLength)
    {
        uint ok = IsZero(em[0]) & Equal(em[1], 2);
        uint found = 0; // all ones from the first zero byte after EM[1] on
        int separator = 0;
        for (int i = 2; i < em.Length; i++)
        {
            uint first = IsZero(em[i]) & ~found;
            separator |= (int)(first & (uint)i);
            found |= first;
        }
        ok &= found & ~LessThan(separator, 10);
        messageLength = em.Length - separator - 1;
        return ok;
    }

    /// <summary><paramref name="destination"/>[i] = <paramref name="source"/>[i] where <paramref name="mask"/> is all ones, unchanged where zero.</summary>
    public static void Select(uint mask, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        byte m = (byte)mask;
        for (int i = 0; i < destination.Length; i++)
            destination[i] = (byte)((source[i] & m) | (destination[i] & ~m));
    }

    /// <summary>All ones when <paramref name="a"/> == <paramref name="b"/>, else zero, without a branch.</summary>
    public static uint Equal(int a, int b) => IsZero((uint)(a ^ b));

    /// <summary>All ones when <paramref name="x"/> is zero.</summary>
    public static uint IsZero(uint x) => (uint)((int)(~x & (x - 1)) >> 31);

    /// <summary>All ones when <paramref name="a"/> &lt; <paramref name="b"/> (both non-negative).</summary>
    private static uint LessThan(int a, int b) => (uint)((a - b) >> 31);

    /// <summary>EM = 0x00 … 0x02 encrypted with the public key, to check the decryption once at load time.</summary>
    private static byte[] SelfTestCiphertext(RSAParameters key)
    {
        var c = BigInteger.ModPow(2, new BigInteger(key.Exponent, isUnsigned: true, isBigEndian: true),
            new BigInteger(key.Modulus, isUnsigned: true, isBigEndian: true)).ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[key.Modulus!.Length];
        c.CopyTo(padded, padded.Length - c.Length);
        return padded;
    }
}
