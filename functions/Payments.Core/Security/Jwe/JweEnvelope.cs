using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Payments.Core.Hosting;
using Payments.Core.Security.Jwe;

namespace Payments.Core.Security;

/// <summary>
/// docs/protocol.md §7 JWE + JWS scheme, built on <c>System.Security.Cryptography</c> only: the body is a compact
/// JWE (RFC 7516; <c>RSA-OAEP-256</c> or <c>RSA1_5</c>; <c>A256GCM</c> or <c>A128CBC-HS256</c>; <c>zip: DEF</c>
/// accepted) whose payload is a compact JWS (RS256) of the JSON.
/// Keys: every configured private key of ours may decrypt (rotation; the one whose RFC 7638 thumbprint
/// equals the <c>kid</c> is tried first); the <b>first</b> one signs what we seal. Every Google public key
/// may verify; the <b>first</b> is the one we encrypt to. We send <c>RSA-OAEP-256</c> + <c>A256GCM</c>.
/// </summary>
public sealed class JweEnvelope : IMessageEnvelope
{
    /// <summary>Largest decompressed payload accepted (a small <c>zip: DEF</c> body must not inflate without bound).</summary>
    public const int MaxPlaintextBytes = 4 * 1024 * 1024;

    private readonly IReadOnlyList<JweKey> _own;
    private readonly IReadOnlyList<JweKey> _google;

    /// <param name="integratorPrivateKeys">PEM private key(s) of ours (<c>Security__Jwe__IntegratorPrivateKeys</c>)</param>
    /// <param name="googlePublicKeys">PEM public key(s) or certificate(s) of Google (<c>Security__Jwe__GooglePublicKeys</c>)</param>
    /// <exception cref="SecurityConfigurationException">a setting is missing or malformed</exception>
    public JweEnvelope(string? integratorPrivateKeys, string? googlePublicKeys, TimeProvider? timeProvider = null)
    {
        var now = (timeProvider ?? TimeProvider.System).GetUtcNow().UtcDateTime;
        _own = JwePemKeys.Load(integratorPrivateKeys, SettingNames.JweIntegratorPrivateKeys, privateKeys: true, now);
        _google = JwePemKeys.Load(googlePublicKeys, SettingNames.JweGooglePublicKeys, privateKeys: false, now);
    }

    public IReadOnlyList<ConfiguredKey> Keys =>
    [
        .. _own.Select(k => new ConfiguredKey(SettingNames.JweIntegratorPrivateKeys, k.Kid, k.ExpiresUtc)),
        .. _google.Select(k => new ConfiguredKey(SettingNames.JweGooglePublicKeys, k.Kid, k.ExpiresUtc)),
    ];

    public string ContentType => "application/jose; charset=utf-8";

    public byte[] Open(ReadOnlySpan<byte> body)
    {
        try { return OpenCore(body); }
        catch (EnvelopeException) { throw; }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Encryption($"The body is not a readable JWE ({e.GetType().Name}).");
        }
    }

    private byte[] OpenCore(ReadOnlySpan<byte> body)
    {
        foreach (var b in body) if (b > 0x7E) throw Encryption("The body is not a compact JWE.");
        var parts = Encoding.ASCII.GetString(body).Trim().Split('.');
        if (parts.Length != 5) throw Encryption("The body is not a compact JWE.");
        using var header = ParseHeader(parts[0]) ?? throw Encryption("The JWE header is not valid.");
        var h = header.RootElement;
        if (h.TryGetProperty("crit", out _)) throw Encryption("The JWE header has critical extensions we do not understand.");
        string? alg = Str(h, "alg"), enc = Str(h, "enc"), zip = Str(h, "zip"), kid = Str(h, "kid");
        if (alg is not ("RSA-OAEP-256" or "RSA1_5")) throw Encryption("Unsupported JWE key management algorithm.");
        if (enc is not ("A256GCM" or "A128CBC-HS256")) throw Encryption("Unsupported JWE content encryption.");
        if (zip is not (null or "DEF")) throw Encryption("Unsupported JWE compression.");
        if (h.TryGetProperty("zip", out var z) && z.ValueKind != JsonValueKind.String) throw Encryption("Unsupported JWE compression.");

        var encryptedKey = Decode(parts[1]);
        var iv = Decode(parts[2]);
        var ciphertext = Decode(parts[3]);
        var tag = Decode(parts[4]);
        if (encryptedKey is null || iv is null || ciphertext is null || tag is null) throw Encryption("The JWE is not base64url.");
        var aad = Encoding.ASCII.GetBytes(parts[0]);

        byte[]? plaintext = null;
        foreach (var key in Ordered(_own, kid))
        {
            var cek = UnwrapKey(alg, key, encryptedKey);
            plaintext = DecryptContent(enc, cek, iv, aad, ciphertext, tag);
            if (plaintext is not null) break;
        }
        if (plaintext is null) throw Encryption("The JWE is not encrypted to a key of ours, or fails authentication.");
        if (zip == "DEF") plaintext = Inflate(plaintext);
        return VerifyJws(plaintext);
    }

    private static byte[] UnwrapKey(string alg, JweKey key, byte[] encryptedKey)
    {
        if (encryptedKey.Length != key.Rsa.ModulusBytes) return RandomNumberGenerator.GetBytes(32);
        var padding = alg == "RSA1_5" ? RSAEncryptionPadding.Pkcs1 : RSAEncryptionPadding.OaepSHA256;
        var cek = key.Rsa.Use((encryptedKey, padding), static (rsa, s) =>
        {
            try { return rsa.Decrypt(s.encryptedKey, s.padding); }
            catch (CryptographicException) { return null; }
        });
        // RFC 7516 §11.5: on an unwrap failure continue with a random CEK, so that a bad key and a bad
        // tag look (and take) the same: no padding oracle for RSA1_5.
        return cek ?? RandomNumberGenerator.GetBytes(32);
    }

    private static byte[]? DecryptContent(string enc, byte[] cek, byte[] iv, byte[] aad, byte[] ciphertext, byte[] tag)
    {
        if (cek.Length != 32) return null;
        try
        {
            if (enc == "A256GCM")
            {
                if (iv.Length != 12 || tag.Length != 16) return null;
                var plain = new byte[ciphertext.Length];
                using var gcm = new AesGcm(cek, 16);
                gcm.Decrypt(iv, ciphertext, tag, plain, aad);
                return plain;
            }
            // A128CBC-HS256 (RFC 7518 §5.2.2): MAC key, then encryption key; tag = HMAC-SHA-256 truncated to 16 bytes.
            if (iv.Length != 16 || tag.Length != 16) return null;
            var expected = CbcHmacTag(cek.AsSpan(0, 16), aad, iv, ciphertext);
            if (!CryptographicOperations.FixedTimeEquals(expected, tag)) return null;
            using var aes = Aes.Create();
            aes.Key = cek[16..];
            return aes.DecryptCbc(ciphertext, iv, PaddingMode.PKCS7);
        }
        catch (CryptographicException) { return null; }
    }

    private static byte[] CbcHmacTag(ReadOnlySpan<byte> macKey, byte[] aad, byte[] iv, byte[] ciphertext)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, macKey);
        hmac.AppendData(aad);
        hmac.AppendData(iv);
        hmac.AppendData(ciphertext);
        Span<byte> al = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(al, (ulong)aad.Length * 8);
        hmac.AppendData(al);
        return hmac.GetHashAndReset()[..16];
    }

    private byte[] VerifyJws(byte[] plaintext)
    {
        foreach (var b in plaintext) if (b > 0x7E) throw Signature("The decrypted payload is not a compact JWS.");
        var parts = Encoding.ASCII.GetString(plaintext).Trim().Split('.');
        if (parts.Length != 3) throw Signature("The decrypted payload is not a compact JWS.");
        using var header = ParseHeader(parts[0]) ?? throw Signature("The JWS header is not valid.");
        var h = header.RootElement;
        if (Str(h, "alg") != "RS256") throw Signature("The JWS is not signed with RS256.");
        if (h.TryGetProperty("crit", out _)) throw Signature("The JWS header has critical extensions we do not understand.");
        var payload = Decode(parts[1]);
        var signature = Decode(parts[2]);
        if (payload is null || signature is null) throw Signature("The JWS is not base64url.");
        var signingInput = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        foreach (var key in Ordered(_google, Str(h, "kid")))
        {
            if (signature.Length != key.Rsa.ModulusBytes) continue;
            bool ok = key.Rsa.Use((signingInput, signature), static (rsa, s) =>
                rsa.VerifyData(s.signingInput, s.signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
            if (ok) return payload;
        }
        throw Signature("No valid signature from a configured Google key.");
    }

    public byte[] Seal(ReadOnlySpan<byte> json)
    {
        var signer = _own[0];
        var jwsHeader = Base64Body.EncodeUrlString(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = "RS256", ["kid"] = signer.Kid }));
        var signingInput = jwsHeader + "." + Base64Body.EncodeUrlString(json);
        var signature = signer.Rsa.Use(Encoding.ASCII.GetBytes(signingInput), static (rsa, d) =>
            rsa.SignData(d, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        var jws = Encoding.ASCII.GetBytes(signingInput + "." + Base64Body.EncodeUrlString(signature));

        var recipient = _google[0];
        var jweHeader = Base64Body.EncodeUrlString(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
            { ["alg"] = "RSA-OAEP-256", ["enc"] = "A256GCM", ["kid"] = recipient.Kid }));
        var cek = RandomNumberGenerator.GetBytes(32);
        var iv = RandomNumberGenerator.GetBytes(12);
        var encryptedKey = recipient.Rsa.Use(cek, static (rsa, k) => rsa.Encrypt(k, RSAEncryptionPadding.OaepSHA256));
        var ciphertext = new byte[jws.Length];
        var tag = new byte[16];
        using (var gcm = new AesGcm(cek, 16))
            gcm.Encrypt(iv, jws, ciphertext, tag, Encoding.ASCII.GetBytes(jweHeader));
        CryptographicOperations.ZeroMemory(cek);
        return Encoding.ASCII.GetBytes(string.Join('.', jweHeader, Base64Body.EncodeUrlString(encryptedKey),
            Base64Body.EncodeUrlString(iv), Base64Body.EncodeUrlString(ciphertext), Base64Body.EncodeUrlString(tag)));
    }

    private static IEnumerable<JweKey> Ordered(IReadOnlyList<JweKey> keys, string? kid) =>
        kid is null ? keys : keys.Where(k => k.Kid == kid).Concat(keys.Where(k => k.Kid != kid));

    private static JsonDocument? ParseHeader(string part)
    {
        var bytes = Decode(part);
        if (bytes is null) return null;
        try
        {
            var doc = JsonDocument.Parse(bytes);
            if (doc.RootElement.ValueKind == JsonValueKind.Object) return doc;
            doc.Dispose();
            return null;
        }
        catch (JsonException) { return null; }
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>Strict base64url (RFC 7515: no padding, URL alphabet).</summary>
    private static byte[]? Decode(string s)
    {
        foreach (var c in s) if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return null;
        if (s.Length % 4 == 1) return null;
        return Base64Body.TryDecode(Encoding.ASCII.GetBytes(s)) ?? (s.Length == 0 ? [] : null);
    }

    private static byte[] Inflate(byte[] data)
    {
        using var input = new DeflateStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        var buffer = new byte[8192];
        int n;
        while ((n = input.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (output.Length + n > MaxPlaintextBytes) throw Encryption("The JWE payload is too large.");
            output.Write(buffer, 0, n);
        }
        return output.ToArray();
    }

    private static EnvelopeException Encryption(string message) => new(EnvelopeFailure.InvalidEncryption, message);
    private static EnvelopeException Signature(string message) => new(EnvelopeFailure.InvalidSignature, message);
}
