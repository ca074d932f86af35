using System.Numerics;
using System.Security.Cryptography;
using Payments.Core.Security.Jwe;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Security;

/// <summary>The constant-time OAEP decoding against .NET's own OAEP encryption, and every kind of bad encoding.</summary>
[Trait("Category", Category.Unit)]
public sealed class OaepSha256Tests
{
    private static readonly RSA Key = TestKeys.NewRsa(2048);
    private static readonly RSAParameters Private = Key.ExportParameters(true);

    /// <summary>c^d mod n: the RSA result without any padding removed (test only; the app uses OpenSSL),
    /// by the Chinese remainder theorem (a quarter of the work of one power modulo n).</summary>
    private static byte[] Raw(byte[] ciphertext)
    {
        static BigInteger N(byte[]? v) => new(v, isUnsigned: true, isBigEndian: true);
        BigInteger c = N(ciphertext), p = N(Private.P), q = N(Private.Q);
        var m1 = BigInteger.ModPow(c, N(Private.DP), p);
        var m2 = BigInteger.ModPow(c, N(Private.DQ), q);
        var h = N(Private.InverseQ) * (m1 - m2) % p;
        if (h < 0) h += p;
        var m = m2 + h * q;
        var bytes = m.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[Private.Modulus!.Length];
        bytes.CopyTo(padded, padded.Length - bytes.Length);
        return padded;
    }

    [Fact]
    public void Decodes_what_dotnet_encrypts()
    {
        for (int i = 0; i < 50; i++)
        {
            var message = RandomNumberGenerator.GetBytes(32);
            var encoded = Raw(Key.Encrypt(message, RSAEncryptionPadding.OaepSHA256));
            var decoded = new byte[32];
            Assert.Equal(uint.MaxValue, OaepSha256.Decode(encoded, decoded));
            Assert.Equal(message, decoded);
        }
    }

    [Fact]
    public void Every_bad_encoding_is_refused_without_an_exception()
    {
        var message = RandomNumberGenerator.GetBytes(32);
        var good = Raw(Key.Encrypt(message, RSAEncryptionPadding.OaepSHA256));
        var cases = new List<(string What, byte[] Encoded)>
        {
            ("leading byte not zero", With(good, 0, 1)),
            ("masked seed changed", With(good, 5, (byte)(good[5] ^ 0x40))),
            ("masked data block changed", With(good, 100, (byte)(good[100] ^ 1))),
            ("last byte changed", With(good, good.Length - 1, (byte)(good[^1] ^ 0x80))),
            ("a message of another length", Raw(Key.Encrypt(message[..31], RSAEncryptionPadding.OaepSHA256))),
            ("a message of another length", Raw(Key.Encrypt([.. message, 7], RSAEncryptionPadding.OaepSHA256))),
            ("OAEP with SHA-1", Raw(Key.Encrypt(message, RSAEncryptionPadding.OaepSHA1))),
            ("PKCS#1 v1.5", Raw(Key.Encrypt(message, RSAEncryptionPadding.Pkcs1))),
            ("random", RandomNumberGenerator.GetBytes(good.Length)),
            ("zeros", new byte[good.Length]),
        };
        foreach (var (what, encoded) in cases)
            Assert.True(OaepSha256.Decode(encoded, new byte[32]) == 0, what);
    }

    private static byte[] With(byte[] source, int index, byte value)
    {
        var copy = (byte[])source.Clone();
        copy[index] = value;
        return copy;
    }
}
