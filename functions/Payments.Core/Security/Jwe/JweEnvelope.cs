using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Payments.Core.Security.Jwe;
using Payments.Core.Security.Rsa;

namespace Payments.Core.Security.Jwe;

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
    /// <summary>Largest JSON a JWS may carry: the request body limit of every mode (docs/input-limits.md).</summary>
    public const int MaxJsonBytes = 1 << 20;

    /// <summary>
    /// Largest <c>zip: DEF</c> output: the JWS of a <see cref="MaxJsonBytes"/> JSON (its base64url, 4/3 of
    /// it) plus 64 KiB for its header and signature. Inflating stops one byte past it.
    /// </summary>
    public const int MaxInflatedBytes = MaxPayloadChars + (64 << 10);

    /// <summary>The base64url length of a <see cref="MaxJsonBytes"/> JSON: the largest JWS payload part.</summary>
    private const int MaxPayloadChars = (MaxJsonBytes + 2) / 3 * 4;

    /// <summary>Largest protected header (base64url characters), JWE or JWS; a real one is a few hundred.</summary>
    public const int MaxHeaderChars = 16 << 10;

    /// <summary>Content-encryption key length: A256GCM and A128CBC-HS256 both take 32 bytes.</summary>
    private const int CekBytes = 32;

    private readonly IReadOnlyList<JweKey> _own;
    private readonly IReadOnlyList<JweKey> _google;

    /// <param name="integratorPrivateKeys">PEM private key(s) of ours (<c>Security__Jwe__IntegratorPrivateKeys</c>)</param>
    /// <param name="googlePublicKeys">PEM public key(s) or certificate(s) of Google (<c>Security__Jwe__GooglePublicKeys</c>)</param>
    /// <exception cref="SecurityConfigurationException">a setting is missing or malformed</exception>
    public JweEnvelope(string? integratorPrivateKeys, string? googlePublicKeys, TimeProvider? timeProvider = null)
    {
        var now = (timeProvider ?? TimeProvider.System).GetUtcNow().UtcDateTime;
        _own = JwePemKeys.Load(integratorPrivateKeys, JweOptions.IntegratorPrivateKeysSetting, privateKeys: true, now);
        _google = JwePemKeys.Load(googlePublicKeys, JweOptions.GooglePublicKeysSetting, privateKeys: false, now);
    }

    public IReadOnlyList<ConfiguredKey> Keys =>
    [
        .. _own.Select(k => new ConfiguredKey(JweOptions.IntegratorPrivateKeysSetting, k.Kid, k.ExpiresUtc)),
        .. _google.Select(k => new ConfiguredKey(JweOptions.GooglePublicKeysSetting, k.Kid, k.ExpiresUtc)),
    ];

    public string ContentType => "application/jose; charset=utf-8";

    public byte[] Open(ReadOnlySpan<byte> body) => Open(body, new JweWork());

    /// <summary><see cref="Open(ReadOnlySpan{byte})"/>, reporting its cost to <paramref name="work"/> (tests, benchmarks).</summary>
    internal byte[] Open(ReadOnlySpan<byte> body, JweWork work)
    {
        try { return OpenCore(body, work); }
        catch (EnvelopeException) { throw; }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Encryption($"The body is not a readable JWE ({e.GetType().Name}).");
        }
    }

    // Everything before the JWS signature check is work anyone holding our public key can cause: the body
    // is read as spans (no string of it, no split), each part is sized before it is decoded.
    private byte[] OpenCore(ReadOnlySpan<byte> body, JweWork work)
    {
        Span<Range> parts = stackalloc Range[5];
        if (!TrySplit(body, parts, out body)) throw Encryption("The body is not a compact JWE.");
        var headerPart = body[parts[0]];
        using var header = ParseHeader(headerPart) ?? throw Encryption("The JWE header is not valid.");
        var h = header.RootElement;
        if (h.TryGetProperty("crit", out _)) throw Encryption("The JWE header has critical extensions we do not understand.");
        string? alg = Str(h, "alg"), enc = Str(h, "enc"), zip = Str(h, "zip"), kid = Str(h, "kid");
        if (alg is not ("RSA-OAEP-256" or "RSA1_5")) throw Encryption("Unsupported JWE key management algorithm.");
        if (enc is not ("A256GCM" or "A128CBC-HS256")) throw Encryption("Unsupported JWE content encryption.");
        if (zip is not (null or "DEF")) throw Encryption("Unsupported JWE compression.");
        if (h.TryGetProperty("zip", out var z) && z.ValueKind != JsonValueKind.String) throw Encryption("Unsupported JWE compression.");

        var encryptedKey = Base64Body.TryDecodeUrlStrict(body[parts[1]]);
        var iv = Base64Body.TryDecodeUrlStrict(body[parts[2]]);
        var tag = Base64Body.TryDecodeUrlStrict(body[parts[4]]);
        if (encryptedKey is null || iv is null || tag is null) throw Encryption("The JWE is not base64url.");
        if (iv.Length != (enc == "A256GCM" ? 12 : 16) || tag.Length != 16) throw Encryption("The JWE IV or tag has the wrong length.");
        // Only a key whose modulus is as long as the encrypted key can have made it (the body says so, not the key).
        var candidates = Ordered(_own, kid).Where(k => k.Rsa.ModulusBytes == encryptedKey.Length).ToList();
        if (candidates.Count == 0) throw NotOurs();
        var ciphertext = Base64Body.TryDecodeUrlStrict(body[parts[3]]) ?? throw Encryption("The JWE is not base64url.");

        // RFC 7516 §11.5: whatever the unwrap gives (bad padding, a key of the wrong length, a good key), each
        // candidate costs one RSA operation and one authenticated pass over the whole ciphertext, and only
        // the tag decides. No padding oracle.
        var plaintext = new byte[ciphertext.Length];
        int length = -1;
        foreach (var key in candidates)
        {
            var cek = UnwrapKey(alg, key, encryptedKey, work);
            length = DecryptContent(enc, cek, iv, headerPart, ciphertext, tag, plaintext, work);
            CryptographicOperations.ZeroMemory(cek);
            if (length >= 0) break;
        }
        if (length < 0) throw NotOurs();
        if (zip != "DEF") return VerifyJws(plaintext.AsSpan(0, length));
        var (inflated, inflatedLength) = Inflate(plaintext, length, work);
        return VerifyJws(inflated.AsSpan(0, inflatedLength));
    }

    /// <summary>
    /// The content key, always <see cref="CekBytes"/> long, in the same time whatever the encrypted key holds:
    /// the RSA operation runs without padding and the padding is checked with masks (RSA1_5:
    /// <see cref="Pkcs1Decryption"/>, OAEP: <see cref="OaepSha256"/>); bad padding or a key of another
    /// length gives a random key without an exception, and only the content's tag then fails.
    /// </summary>
    private static byte[] UnwrapKey(string alg, JweKey key, byte[] encryptedKey, JweWork work)
    {
        work.RsaOperation();
        var raw = key.Rsa.Pkcs1!;
        if (alg == "RSA1_5") return raw.Decrypt(encryptedKey, CekBytes, out _);
        var cek = RandomNumberGenerator.GetBytes(CekBytes); // drawn before anything depends on the padding
        var decoded = new byte[CekBytes];
        uint ok = raw.Decrypt(encryptedKey, out var em) ? uint.MaxValue : 0;
        ok &= OaepSha256.Decode(em, decoded);
        Pkcs1Decryption.Select(ok, decoded, cek);
        CryptographicOperations.ZeroMemory(em);
        CryptographicOperations.ZeroMemory(decoded);
        return cek;
    }

    /// <summary>Authenticated decryption into <paramref name="plaintext"/>: its length, or -1 when the tag fails.</summary>
    private static int DecryptContent(string enc, byte[] cek, byte[] iv, ReadOnlySpan<byte> aad, byte[] ciphertext, byte[] tag, byte[] plaintext, JweWork work)
    {
        work.ContentPass();
        if (enc == "A256GCM")
        {
            using var gcm = new AesGcm(cek, 16);
            try { gcm.Decrypt(iv, ciphertext, tag, plaintext, aad); }
            catch (AuthenticationTagMismatchException) { return -1; }
            return ciphertext.Length;
        }
        // A128CBC-HS256 (RFC 7518 §5.2.2): MAC key, then encryption key; tag = HMAC-SHA-256 truncated to 16 bytes.
        var expected = CbcHmacTag(cek.AsSpan(0, 16), aad, iv, ciphertext);
        if (!CryptographicOperations.FixedTimeEquals(expected, tag)) return -1;
        using var aes = Aes.Create();
        aes.SetKey(cek.AsSpan(16));
        return aes.DecryptCbc(ciphertext, iv, plaintext, PaddingMode.PKCS7);
    }

    private static byte[] CbcHmacTag(ReadOnlySpan<byte> macKey, ReadOnlySpan<byte> aad, byte[] iv, byte[] ciphertext)
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

    private byte[] VerifyJws(ReadOnlySpan<byte> jws)
    {
        Span<Range> parts = stackalloc Range[3];
        if (!TrySplit(jws, parts, out jws)) throw Signature("The decrypted payload is not a compact JWS.");
        using var header = ParseHeader(jws[parts[0]]) ?? throw Signature("The JWS header is not valid.");
        var h = header.RootElement;
        if (Str(h, "alg") != "RS256") throw Signature("The JWS is not signed with RS256.");
        if (h.TryGetProperty("crit", out _)) throw Signature("The JWS header has critical extensions we do not understand.");
        if (jws[parts[1]].Length > MaxPayloadChars) throw Encryption("The JWE payload is too large.");
        var payload = Base64Body.TryDecodeUrlStrict(jws[parts[1]]);
        var signature = Base64Body.TryDecodeUrlStrict(jws[parts[2]]);
        if (payload is null || signature is null) throw Signature("The JWS is not base64url.");
        if (payload.Length > MaxJsonBytes) throw Encryption("The JWE payload is too large.");
        var hash = SHA256.HashData(jws[..parts[1].End]);
        foreach (var key in Ordered(_google, Str(h, "kid")))
        {
            if (signature.Length != key.Rsa.ModulusBytes) continue;
            bool ok = key.Rsa.Use((hash, signature), static (rsa, s) =>
                rsa.VerifyHash(s.hash, s.signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
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

    /// <summary>
    /// Compact serialization: printable ASCII, surrounding whitespace ignored, exactly
    /// <c>parts.Length - 1</c> dots (found by a vectorized search; no part is copied) and a protected
    /// header of at most <see cref="MaxHeaderChars"/>.
    /// </summary>
    private static bool TrySplit(ReadOnlySpan<byte> text, scoped Span<Range> parts, out ReadOnlySpan<byte> trimmed)
    {
        trimmed = text[Ascii.Trim(text)];
        if (trimmed.IndexOfAnyInRange((byte)0x7F, (byte)0xFF) >= 0) return false;
        if (trimmed.Count((byte)'.') != parts.Length - 1) return false;
        int start = 0;
        for (int i = 0; i < parts.Length - 1; i++)
        {
            int dot = start + trimmed[start..].IndexOf((byte)'.');
            parts[i] = start..dot;
            start = dot + 1;
        }
        parts[^1] = start..trimmed.Length;
        return parts[0].End.Value <= MaxHeaderChars;
    }

    private static JsonDocument? ParseHeader(ReadOnlySpan<byte> part)
    {
        var bytes = Base64Body.TryDecodeUrlStrict(part);
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

    /// <summary>Raw deflate, stopping one byte past <see cref="MaxInflatedBytes"/> whatever the ratio.</summary>
    private static (byte[] Buffer, int Length) Inflate(byte[] data, int length, JweWork work)
    {
        using var input = new DeflateStream(new MemoryStream(data, 0, length, writable: false), CompressionMode.Decompress);
        var output = new byte[Math.Min(MaxInflatedBytes + 1, Math.Max(64 << 10, length * 4))];
        int total = 0;
        while (true)
        {
            if (total > MaxInflatedBytes) throw Encryption("The JWE payload is too large.");
            if (total == output.Length) Array.Resize(ref output, Math.Min(MaxInflatedBytes + 1, output.Length * 2));
            int n = input.Read(output, total, output.Length - total);
            if (n == 0) return (output, total);
            total += n;
            work.Inflated(n);
        }
    }

    private static EnvelopeException NotOurs() => Encryption("The JWE is not encrypted to a key of ours, or fails authentication.");
    private static EnvelopeException Encryption(string message) => new(EnvelopeFailure.InvalidEncryption, message);
    private static EnvelopeException Signature(string message) => new(EnvelopeFailure.InvalidSignature, message);
}
