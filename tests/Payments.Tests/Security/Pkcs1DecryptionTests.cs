using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Payments.Core.Security;
using Payments.Core.Security.Pgp;
using Payments.Core.Security.Rsa;
using Payments.Tests.Adversarial;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Security;

/// <summary>
/// PKCS#1 v1.5 decryption with implicit rejection (no Bleichenbacher oracle): good messages come out exactly,
/// on OpenSSL and on the BouncyCastle fallback alike; every kind of bad padding gives a random value of the
/// expected length, never an exception. Timing itself is measured by the jwe-oracle benchmark, not here.
/// </summary>
[Trait("Category", Category.Unit)]
public sealed class Pkcs1DecryptionTests
{
    private static readonly RSA Key = TestKeys.NewRsa(2048);
    private static readonly RSAParameters Private = Key.ExportParameters(true);
    private static readonly Pkcs1Decryption OpenSsl = new(Private);
    private static readonly Pkcs1Decryption Managed = new(Private, preferOpenSsl: false);
    private static int K => Private.Modulus!.Length;

    [Fact]
    public void OpenSsl_does_the_rsa_operation_on_linux_and_the_fallback_is_bouncycastle()
    {
        Assert.Equal(OperatingSystem.IsLinux(), OpenSsl.UsesOpenSsl);
        Assert.False(Managed.UsesOpenSsl);
    }

    /// <summary>Random messages, and the cases random samples rarely hit (the managed backend is BouncyCastle's
    /// RSA, a private operation ten times the cost of OpenSSL's): a message led by zero bytes, one of zeros
    /// only, and a ciphertext led by a zero byte (one in 256).</summary>
    [Fact]
    public void Messages_encrypted_by_dotnet_decrypt_exactly_on_both_backends()
    {
        int[] lengths = [19, 27, 32, 35];
        var messages = Enumerable.Range(0, 40).Select(i => RandomNumberGenerator.GetBytes(lengths[i % lengths.Length])).ToList();
        messages.Add([0, 0, .. RandomNumberGenerator.GetBytes(30)]);
        messages.Add(new byte[32]);
        var cases = messages.Select(m => (Message: m, Ciphertext: Key.Encrypt(m, RSAEncryptionPadding.Pkcs1))).ToList();
        var led = RandomNumberGenerator.GetBytes(32);
        var zeroLed = Key.Encrypt(led, RSAEncryptionPadding.Pkcs1);
        for (int tries = 0; zeroLed[0] != 0; tries++)
        {
            Assert.True(tries < 100_000);
            zeroLed = Key.Encrypt(led, RSAEncryptionPadding.Pkcs1);
        }
        cases.Add((led, zeroLed));
        foreach (var (message, ciphertext) in cases)
        {
            foreach (var backend in new[] { OpenSsl, Managed })
            {
                Assert.Equal(message, backend.Decrypt(ciphertext, message.Length, out bool accepted));
                Assert.True(accepted);
            }
            Assert.True(OpenSsl.Decrypt(ciphertext, out var em1) & Managed.Decrypt(ciphertext, out var em2));
            Assert.Equal(em1, em2);
        }
    }

    /// <summary>One EVP_PKEY serves every thread: each call makes its own OpenSSL context.</summary>
    [Fact]
    public void Concurrent_decryptions_with_one_key_all_come_out_right()
    {
        var messages = Enumerable.Range(0, 64).Select(_ => RandomNumberGenerator.GetBytes(32)).ToArray();
        var ciphertexts = messages.Select(m => Key.Encrypt(m, RSAEncryptionPadding.Pkcs1)).ToArray();
        var results = new byte[messages.Length][];
        Parallel.For(0, messages.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            i => results[i] = OpenSsl.Decrypt(ciphertexts[i], 32, out _));
        Assert.Equal(messages, results);
    }

    public static TheoryData<string> BadPaddings => ["em0", "em1-zero", "em1-one", "separator-at-9", "separator-at-2", "no-separator", "too-short", "too-long", "not-below-modulus"];

    [Theory]
    [MemberData(nameof(BadPaddings))]
    public void A_bad_padding_gives_a_random_key_of_the_expected_length_and_no_exception(string kind)
    {
        // A separator too early: M is as long as expected, only PS (7 bytes, or none) is too short.
        int length = kind switch { "separator-at-9" => K - 10, "separator-at-2" => K - 3, _ => 32 };
        var ciphertext = kind == "not-below-modulus" ? Private.Modulus! : RawEncrypt(Encoded(kind, RandomNumberGenerator.GetBytes(length)));
        foreach (var backend in new[] { OpenSsl, Managed })
        {
            var first = backend.Decrypt(ciphertext, length, out bool accepted);
            Assert.False(accepted);
            Assert.Equal(length, first.Length);
            Assert.NotEqual(first, backend.Decrypt(ciphertext, length, out _)); // random each time, not derived from EM
        }
    }

    [Fact]
    public void The_shortest_padding_string_is_accepted_and_one_byte_shorter_is_not()
    {
        int longest = K - 11; // 0x00 0x02, 8 bytes of PS, 0x00
        var message = RandomNumberGenerator.GetBytes(longest);
        foreach (var backend in new[] { OpenSsl, Managed })
        {
            Assert.Equal(message, backend.Decrypt(Key.Encrypt(message, RSAEncryptionPadding.Pkcs1), longest, out bool accepted));
            Assert.True(accepted);
            backend.Decrypt(RawEncrypt(Encoded("valid", RandomNumberGenerator.GetBytes(longest + 1))), longest + 1, out accepted);
            Assert.False(accepted);
        }
    }

    [Theory]
    [InlineData(7, 16)]
    [InlineData(8, 24)]
    [InlineData(9, 32)]
    public void A_pgp_session_key_of_each_aes_variant_is_selected(byte algorithm, int length)
    {
        var key = RandomNumberGenerator.GetBytes(length);
        var (selected, selectedLength, found) = Select(Key.Encrypt(SessionPlaintext(algorithm, key), RSAEncryptionPadding.Pkcs1));
        Assert.NotEqual(0u, found);
        Assert.Equal(key, selected[..selectedLength]);
    }

    public static TheoryData<string> BadSessionKeys => ["cast5", "aes256-with-16-bytes", "aes128-with-32-bytes", "checksum", "padding"];

    [Theory]
    [MemberData(nameof(BadSessionKeys))]
    public void A_bad_pgp_session_key_leaves_the_random_aes256_key(string kind)
    {
        var key = RandomNumberGenerator.GetBytes(kind == "aes128-with-32-bytes" ? 32 : 16);
        var plain = SessionPlaintext(kind switch { "cast5" => 3, "aes128-with-32-bytes" => 7, _ => 9 }, key);
        if (kind == "checksum") plain[^1] ^= 1;
        var ciphertext = kind == "padding"
            ? RawEncrypt(Encoded("em1-one", plain))
            : Key.Encrypt(plain, RSAEncryptionPadding.Pkcs1);
        var (selected, selectedLength, found) = Select(ciphertext);
        Assert.Equal(0u, found);
        Assert.Equal(32, selectedLength);
        Assert.Equal(Initial, selected);
    }

    [Fact]
    public void The_first_good_pgp_session_key_stays_selected()
    {
        var first = RandomNumberGenerator.GetBytes(16);
        var selected = Initial.ToArray();
        int length = 32;
        uint found = 0;
        foreach (var key in new[] { first, RandomNumberGenerator.GetBytes(32) })
        {
            OpenSsl.Decrypt(Key.Encrypt(SessionPlaintext((byte)(key.Length == 16 ? 7 : 9), key), RSAEncryptionPadding.Pkcs1), out var em);
            PgpSessionKey.Select(em, selected, ref length, ref found);
        }
        Assert.Equal(first, selected[..length]);
    }

    /// <summary>
    /// A throw on bad padding alone would be a timing oracle (docs/protocol.md §7): a mauled session key
    /// fails like a bad MDC, with no CryptographicException on the way.
    /// </summary>
    [Fact]
    public void A_pgp_session_key_of_bad_padding_fails_like_a_bad_mdc_without_a_cryptographic_exception()
    {
        var (ours, google) = (TestKeys.PgpOurs1, TestKeys.PgpGoogle);
        var envelope = new PgpEnvelope(ours.Secret, null, google.Public);
        var mirror = new PgpEnvelope(google.Secret, null, ours.Public);
        byte[] Body(int flipPacket) => PgpBombs.WithOuterPacketFlipped(mirror.Seal("{}"u8), flipPacket);
        var thrown = CryptographicExceptions.CountOnThisThread(() =>
        {
            var badPadding = Assert.Throws<EnvelopeException>(() => envelope.Open(Body(0)));
            var badMdc = Assert.Throws<EnvelopeException>(() => envelope.Open(Body(1)));
            Assert.Equal(badMdc.Failure, badPadding.Failure);
            Assert.Equal(badMdc.Message, badPadding.Message);
        });
        Assert.Equal(0, thrown);
        Assert.Equal("{}", Encoding.UTF8.GetString(envelope.Open(mirror.Seal("{}"u8))));
    }

    private static readonly byte[] Initial = RandomNumberGenerator.GetBytes(32);

    private static (byte[] Key, int Length, uint Found) Select(byte[] ciphertext)
    {
        var selected = Initial.ToArray();
        int length = selected.Length;
        uint found = 0;
        Assert.True(OpenSsl.Decrypt(ciphertext, out var em));
        PgpSessionKey.Select(em, selected, ref length, ref found);
        return (selected, length, found);
    }

    /// <summary>RFC 4880 §5.1: algorithm ‖ key ‖ 16-bit sum of the key bytes.</summary>
    private static byte[] SessionPlaintext(byte algorithm, byte[] key)
    {
        int sum = key.Sum(b => b);
        return [algorithm, .. key, (byte)(sum >> 8), (byte)sum];
    }

    /// <summary>EM = 0x00 ‖ 0x02 ‖ PS ‖ 0x00 ‖ M, spoilt as <paramref name="kind"/> says (any other kind: valid).</summary>
    private static byte[] Encoded(string kind, byte[] message)
    {
        var em = new byte[K];
        em[1] = 2;
        for (int i = 2; i < K; i++) em[i] = (byte)(1 + RandomNumberGenerator.GetInt32(255)); // PS: no zero
        message.CopyTo(em, K - message.Length);
        int separator = K - message.Length - 1;
        switch (kind)
        {
            case "em0": em[0] = 1; break;
            case "em1-zero": em[1] = 0; break;
            case "em1-one": em[1] = 1; break;
            case "no-separator": separator = -1; break;
            case "too-short": separator++; break; // M one byte shorter than expected
            case "too-long": separator--; break;
        }
        if (separator >= 0) em[separator] = 0;
        for (int i = 2; i < (separator < 0 ? K : separator); i++) em[i] |= 1; // the separator is the first zero
        return em;
    }

    /// <summary>em^e mod n: RSA without padding, so the test controls every byte the decryption sees.</summary>
    private static byte[] RawEncrypt(byte[] em)
    {
        var c = BigInteger.ModPow(new BigInteger(em, isUnsigned: true, isBigEndian: true),
            new BigInteger(Private.Exponent, isUnsigned: true, isBigEndian: true),
            new BigInteger(Private.Modulus, isUnsigned: true, isBigEndian: true)).ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[K];
        c.CopyTo(padded, K - c.Length);
        return padded;
    }
}
