using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Payments.Tests.Adversarial;

namespace Payments.Tests.Security;

/// <summary>
/// An independent compact JWE/JWS encoder and decoder for the tests, written from RFC 7515/7516/7518
/// with System.Security.Cryptography primitives only and sharing no code with the production envelope.
/// </summary>
internal static class TestJose
{
    public static string B64(byte[] data) => Convert.ToBase64String(data).Split('=')[0].Replace('+', '-').Replace('/', '_');

    public static byte[] UnB64(string s)
    {
        s = s.Replace('-', '+').Replace('_', '/');
        switch (s.Length % 4) { case 2: s += "=="; break; case 3: s += "="; break; }
        return Convert.FromBase64String(s);
    }

    public static string Sign(byte[] payload, RSA key, string alg = "RS256", string? kid = null)
    {
        var header = kid is null ? $"{{\"alg\":\"{alg}\"}}" : $"{{\"alg\":\"{alg}\",\"kid\":\"{kid}\"}}";
        var input = B64(Encoding.UTF8.GetBytes(header)) + "." + B64(payload);
        var sig = alg == "none" ? [] : key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return input + "." + B64(sig);
    }

    public static (JsonElement Header, byte[] Payload) Verify(string jws, RSA publicKey)
    {
        var p = jws.Split('.');
        Assert.Equal(3, p.Length);
        Assert.True(publicKey.VerifyData(Encoding.ASCII.GetBytes(p[0] + "." + p[1]), UnB64(p[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), "JWS signature");
        return (JsonDocument.Parse(UnB64(p[0])).RootElement.Clone(), UnB64(p[1]));
    }

    public static string Encrypt(byte[] plaintext, RSA recipient, string alg, string enc, bool deflate = false, string? kid = null)
    {
        var header = new StringBuilder($"{{\"alg\":\"{alg}\",\"enc\":\"{enc}\"");
        if (deflate) header.Append(",\"zip\":\"DEF\"");
        if (kid is not null) header.Append($",\"kid\":\"{kid}\"");
        header.Append(",\"cty\":\"JWT\"}");
        var cek = RandomNumberGenerator.GetBytes(32);
        return JweBombs.Compact(header.ToString(), recipient.Encrypt(cek, JweBombs.Padding(alg)), cek, enc,
            deflate ? JweBombs.Deflate(plaintext) : plaintext);
    }

    public static (JsonElement Header, byte[] Plaintext) Decrypt(string jwe, RSA privateKey)
    {
        var p = jwe.Split('.');
        Assert.Equal(5, p.Length);
        var header = JsonDocument.Parse(UnB64(p[0])).RootElement.Clone();
        var alg = header.GetProperty("alg").GetString();
        var enc = header.GetProperty("enc").GetString();
        var cek = privateKey.Decrypt(UnB64(p[1]), alg == "RSA1_5" ? RSAEncryptionPadding.Pkcs1 : RSAEncryptionPadding.OaepSHA256);
        byte[] iv = UnB64(p[2]), ciphertext = UnB64(p[3]), tag = UnB64(p[4]), aad = Encoding.ASCII.GetBytes(p[0]);
        byte[] plaintext;
        if (enc == "A256GCM")
        {
            plaintext = new byte[ciphertext.Length];
            using var gcm = new AesGcm(cek, 16);
            gcm.Decrypt(iv, ciphertext, tag, plaintext, aad);
        }
        else
        {
            Assert.Equal(tag, CbcTag(cek[..16], aad, iv, ciphertext));
            using var aes = Aes.Create();
            aes.Key = cek[16..];
            plaintext = aes.DecryptCbc(ciphertext, iv, PaddingMode.PKCS7);
        }
        if (header.TryGetProperty("zip", out _))
        {
            using var d = new DeflateStream(new MemoryStream(plaintext), CompressionMode.Decompress);
            using var ms = new MemoryStream();
            d.CopyTo(ms);
            plaintext = ms.ToArray();
        }
        return (header, plaintext);
    }

    private static byte[] CbcTag(byte[] macKey, byte[] aad, byte[] iv, byte[] ciphertext)
    {
        var al = BitConverter.GetBytes((long)aad.Length * 8);
        if (BitConverter.IsLittleEndian) Array.Reverse(al);
        byte[] data = [.. aad, .. iv, .. ciphertext, .. al];
        var mac = HMACSHA256.HashData(macKey, data);
        return mac[..16];
    }
}
