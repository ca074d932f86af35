using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Payments.Tests.Adversarial;

/// <summary>
/// Hostile compact JWEs that anyone holding our public key can send: <c>zip: DEF</c> bombs, dot floods,
/// header floods, and content keys of each failure class (bad padding, valid padding of the wrong length,
/// good key and bad tag). An encoder of its own, written from RFC 7516/7518 (it shares no code with the
/// production envelope). Shared by the adversarial tests and the <c>jwe-hostile</c> and <c>jwe-oracle</c>
/// benchmarks (linked into Payments.Benchmarks).
/// </summary>
public static class JweBombs
{
    public static readonly string[] Algorithms = ["RSA-OAEP-256", "RSA1_5"];
    public static readonly string[] Encodings = ["A256GCM", "A128CBC-HS256"];

    public static string B64(ReadOnlySpan<byte> data) =>
        Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Header(string alg, string enc, bool deflate) =>
        $"{{\"alg\":\"{alg}\",\"enc\":\"{enc}\"{(deflate ? ",\"zip\":\"DEF\"" : "")}}}";

    public static RSAEncryptionPadding Padding(string alg) => alg == "RSA1_5" ? RSAEncryptionPadding.Pkcs1 : RSAEncryptionPadding.OaepSHA256;

    /// <summary>A compact JWE of <paramref name="payload"/> (already deflated if the header says so) under
    /// <paramref name="cek"/> (32 bytes) with <paramref name="enc"/>, whose encrypted-key part is <paramref name="wrappedKey"/>.</summary>
    public static string Compact(string headerJson, byte[] wrappedKey, byte[] cek, string enc, byte[] payload)
    {
        var header = B64(Encoding.UTF8.GetBytes(headerJson));
        var aad = Encoding.ASCII.GetBytes(header);
        byte[] iv, ciphertext, tag;
        if (enc == "A256GCM")
        {
            iv = RandomNumberGenerator.GetBytes(12);
            ciphertext = new byte[payload.Length];
            tag = new byte[16];
            using var gcm = new AesGcm(cek, 16);
            gcm.Encrypt(iv, payload, ciphertext, tag, aad);
        }
        else
        {
            iv = RandomNumberGenerator.GetBytes(16);
            using var aes = Aes.Create();
            aes.Key = cek[16..];
            ciphertext = aes.EncryptCbc(payload, iv, PaddingMode.PKCS7);
            var al = new byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(al, (ulong)aad.Length * 8);
            byte[] macInput = [.. aad, .. iv, .. ciphertext, .. al];
            tag = HMACSHA256.HashData(cek[..16], macInput)[..16];
        }
        return string.Join('.', header, B64(wrappedKey), B64(iv), B64(ciphertext), B64(tag));
    }

    /// <summary>A JWE of <paramref name="payload"/> properly encrypted to <paramref name="recipient"/>.</summary>
    public static string Encrypt(byte[] payload, RSA recipient, string alg, string enc, bool deflate = false)
    {
        var cek = RandomNumberGenerator.GetBytes(32);
        return Compact(Header(alg, enc, deflate), recipient.Encrypt(cek, Padding(alg)), cek, enc, deflate ? Deflate(payload) : payload);
    }

    /// <summary>The failure classes of the key unwrap, each a complete JWE to <paramref name="recipient"/>.</summary>
    public enum KeyCase { Valid, WrongLengthKey, BadPadding, BadTag }

    public static string WithKey(KeyCase kind, byte[] payload, RSA recipient, string alg, string enc)
    {
        var cek = RandomNumberGenerator.GetBytes(32);
        var wrapped = kind switch
        {
            KeyCase.WrongLengthKey => recipient.Encrypt(RandomNumberGenerator.GetBytes(16), Padding(alg)),
            KeyCase.BadPadding => Undecryptable(recipient, alg),
            _ => recipient.Encrypt(cek, Padding(alg)),
        };
        var compact = Compact(Header(alg, enc, false), wrapped, cek, enc, payload);
        if (kind != KeyCase.BadTag) return compact;
        var tagStart = compact.LastIndexOf('.') + 1;
        var tag = Convert.FromBase64String(compact[tagStart..].Replace('-', '+').Replace('_', '/') + "==");
        tag[0] ^= 1;
        return compact[..tagStart] + B64(tag);
    }

    /// <summary>A number below the modulus that is not a valid encryption under <paramref name="alg"/>'s padding.</summary>
    public static byte[] Undecryptable(RSA recipient, string alg)
    {
        while (true)
        {
            var c = RandomNumberGenerator.GetBytes(recipient.KeySize / 8);
            c[0] = 0;
            try { recipient.Decrypt(c, Padding(alg)); }
            catch (CryptographicException) { return c; }
        }
    }

    public static byte[] Deflate(byte[] data) => Deflate(s => s.Write(data));

    /// <summary>Raw deflate (RFC 1951) of what <paramref name="write"/> writes, never held uncompressed.</summary>
    public static byte[] Deflate(Action<Stream> write)
    {
        var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true)) write(deflate);
        return output.ToArray();
    }

    /// <summary>Writes <paramref name="unit"/> again and again until <paramref name="total"/> bytes.</summary>
    public static void Repeat(Stream output, ReadOnlySpan<byte> unit, long total)
    {
        var chunk = new byte[64 * 1024 / unit.Length * unit.Length];
        for (int i = 0; i < chunk.Length; i += unit.Length) unit.CopyTo(chunk.AsSpan(i));
        for (long left = total; left > 0; left -= chunk.Length) output.Write(chunk, 0, (int)Math.Min(left, chunk.Length));
    }

    public static byte[] Repeated(string unit, long total)
    {
        var output = new MemoryStream();
        Repeat(output, Encoding.ASCII.GetBytes(unit), total);
        return output.ToArray();
    }

    /// <summary>A compact JWS (RS256) of <paramref name="payload"/>.</summary>
    public static string Sign(byte[] payload, RSA key)
    {
        var input = B64("{\"alg\":\"RS256\"}"u8) + "." + B64(payload);
        return input + "." + B64(key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    /// <summary>A compact JWS-looking text (RS256 header, <paramref name="payloadB64"/>, a junk signature).</summary>
    public static string UnsignedJws(string payloadB64) =>
        B64("{\"alg\":\"RS256\"}"u8) + "." + payloadB64 + "." + B64(new byte[256]);
}
