using System.Buffers.Binary;
using System.Security.Cryptography;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Payments.Core.Security.Pgp;

namespace Payments.Core.Security.Pgp;

/// <summary>
/// docs/protocol.md §7 PGP scheme. Bodies are base64url of a binary OpenPGP message, signed by the sender then
/// encrypted to the receiver. The two RSA private-key operations per request (session-key decryption,
/// response signature) run on the platform's RSA (OpenSSL): BouncyCastle's managed RSA costs ≈13 ms per
/// operation (docs/pgp-interop.md) against a 5 ms budget. We frame the outer packets (PKESK, SEIPD/MDC) and
/// write the signed layer ourselves; BouncyCastle parses keys and the inner (signed, maybe compressed)
/// layer and verifies Google's signatures (public-key operations are cheap).
/// Thread-safe: keys are parsed once; private keys are used through per-call RSA instances.
/// </summary>
public sealed class PgpEnvelope : IMessageEnvelope
{
    /// <summary>Largest plaintext we accept (see <see cref="PgpLimits"/> for the other bounds).</summary>
    public const int MaxPlaintextBytes = PgpLimits.MaxPlaintextBytes;

    private const byte AlgAes256 = 9, HashSha384 = 9, PkRsa = 1;
    private static readonly HashAlgorithmTag[] AcceptedHashes =
        [HashAlgorithmTag.Sha256, HashAlgorithmTag.Sha384, HashAlgorithmTag.Sha512, HashAlgorithmTag.Sha224];

    private readonly IReadOnlyList<PgpOwnKey> _own;
    private readonly IReadOnlyList<PgpPeerKey> _google;
    private readonly TimeProvider _time;

    /// <param name="integratorPrivateKeys">armored secret key block(s) of ours (<c>Security__Pgp__IntegratorPrivateKeys</c>)</param>
    /// <param name="passphrase">passphrase of those keys, or null/empty (<c>Security__Pgp__Passphrase</c>)</param>
    /// <param name="googlePublicKeys">armored public key block(s) of Google (<c>Security__Pgp__GooglePublicKeys</c>)</param>
    /// <param name="timeProvider">clock for key expiry; the system clock when null</param>
    /// <exception cref="SecurityConfigurationException">a setting is missing, malformed, locked or holds no active key</exception>
    public PgpEnvelope(string? integratorPrivateKeys, string? passphrase, string? googlePublicKeys, TimeProvider? timeProvider = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        _own = PgpKeyStore.LoadOwn(integratorPrivateKeys, passphrase, PgpOptions.IntegratorPrivateKeysSetting, PgpOptions.PassphraseSetting);
        _google = PgpKeyStore.LoadPeer(googlePublicKeys, PgpOptions.GooglePublicKeysSetting);
        var now = Now;
        if (!_own.Any(k => k.Info.CanSign && k.Info.IsUsable(now)))
            throw new SecurityConfigurationException(PgpOptions.IntegratorPrivateKeysSetting, "holds no active RSA signing key (expired, revoked, under 2048 bits or not signing-capable).");
        if (!_own.Any(k => k.Info.CanEncrypt && k.Info.IsUsable(now)))
            throw new SecurityConfigurationException(PgpOptions.IntegratorPrivateKeysSetting, "holds no active RSA encryption key (expired, revoked, under 2048 bits or not encryption-capable).");
        if (!_google.Any(k => k.Info.CanSign && k.Info.IsUsable(now)))
            throw new SecurityConfigurationException(PgpOptions.GooglePublicKeysSetting, "holds no active signing key (expired, revoked or not signing-capable).");
        if (!_google.Any(k => k.Info.CanEncrypt && k.Rsa is not null && k.Info.IsUsable(now)))
            throw new SecurityConfigurationException(PgpOptions.GooglePublicKeysSetting, "holds no active RSA encryption key (expired, revoked, under 2048 bits or not encryption-capable).");
    }

    public IReadOnlyList<ConfiguredKey> Keys =>
    [
        .. _own.Select(k => new ConfiguredKey(PgpOptions.IntegratorPrivateKeysSetting, k.Info.KeyId.ToString("X16"), k.Info.ExpiresUtc)),
        .. _google.Select(k => new ConfiguredKey(PgpOptions.GooglePublicKeysSetting, k.Info.KeyId.ToString("X16"), k.Info.ExpiresUtc)),
    ];

    public string ContentType => "application/octet-stream; charset=utf-8";

    private DateTime Now => _time.GetUtcNow().UtcDateTime;

    public byte[] Open(ReadOnlySpan<byte> body) => Open(body, new PgpWork());

    /// <summary><see cref="Open(ReadOnlySpan{byte})"/>, reporting its cost to <paramref name="work"/> (tests, benchmarks).</summary>
    internal byte[] Open(ReadOnlySpan<byte> body, PgpWork work)
    {
        try { return OpenCore(body, work); }
        catch (EnvelopeException) { throw; }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Never hand BouncyCastle's (or any) exception out: the caller maps only EnvelopeException.
            throw Encryption($"The body is not a readable OpenPGP message ({e.GetType().Name}).");
        }
    }

    private byte[] OpenCore(ReadOnlySpan<byte> body, PgpWork work)
    {
        var raw = Base64Body.TryDecode(body) ?? throw Encryption("The body is not base64url.");
        var sessions = new List<(long KeyId, byte[] Mpi)>();
        byte[]? encrypted = null;
        int pos = 0;
        while (PgpPackets.TryRead(raw, ref pos, out int tag, out var content))
        {
            work.Packet();
            switch (tag)
            {
                case PgpPackets.TagPkesk:
                    if (content.Length > 10 && content[0] == 3 && content[9] is 1 or 2)
                    {
                        int p = 10;
                        sessions.Add((BinaryPrimitives.ReadInt64BigEndian(content.AsSpan(1)), PgpPackets.ReadMpi(content, ref p)));
                    }
                    break;
                case PgpPackets.TagSkesk or PgpPackets.TagMarker:
                    break;
                case PgpPackets.TagSeipd when encrypted is null:
                    encrypted = content;
                    break;
                case PgpPackets.TagSed:
                    throw Encryption("The message is encrypted without integrity protection (MDC).");
                default:
                    throw Encryption("The body is not an encrypted OpenPGP message.");
            }
        }
        if (encrypted is null) throw Encryption("The body is not an encrypted OpenPGP message.");
        if (sessions.Count == 0) throw Encryption("The message is not encrypted to a public key.");

        var sessionKey = RecoverSessionKey(sessions, work, out bool addressedToUs);
        if (!addressedToUs) throw Encryption("The message is not encrypted to an active key of ours.");
        // A session key that does not decrypt (bad PKCS#1 padding, checksum, algorithm) takes the same
        // path and gives the same answer as a failed integrity check: no padding oracle (Bleichenbacher).
        var inner = DecryptIntegrityProtected(sessionKey, encrypted);
        return VerifySigned(inner, work);
    }

    /// <summary>The session key of the first key of ours that decrypts one, else a random AES-256 key (same work).</summary>
    /// <param name="addressedToUs">some session-key packet names an active decryption key of ours (key ids are public)</param>
    private byte[] RecoverSessionKey(List<(long KeyId, byte[] Mpi)> sessions, PgpWork work, out bool addressedToUs)
    {
        addressedToUs = false;
        var now = Now;
        var sessionKey = RandomNumberGenerator.GetBytes(32); // drawn before any decryption: the rejection value
        int keyLength = sessionKey.Length;
        uint found = 0;
        // Each private-key operation is costly and anyone can name our key id: every key of ours is
        // tried once at most, whatever the number of session-key packets naming it.
        var tried = new bool[_own.Count];
        foreach (var (keyId, mpi) in sessions)
        {
            // Key id 0 is a "wildcard" (hidden recipient): try each of our decryption keys.
            for (int k = 0; k < _own.Count; k++)
            {
                var key = _own[k];
                if (!key.Info.CanEncrypt || !key.Info.IsUsable(now) || (keyId != 0 && keyId != key.Info.KeyId)) continue;
                addressedToUs = true;
                if (tried[k] || mpi.Length > key.Rsa.ModulusBytes) continue;
                tried[k] = true;
                work.PrivateKeyOperation();
                // A value not below the modulus (public) leaves em zero, which Select rejects like any bad padding.
                key.Rsa.Pkcs1!.Decrypt(PgpPackets.PadLeft(mpi, key.Rsa.ModulusBytes), out var em);
                PgpSessionKey.Select(em, sessionKey, ref keyLength, ref found);
                CryptographicOperations.ZeroMemory(em);
            }
        }
        return sessionKey[..keyLength];
    }

    /// <summary>SEIPD v1 (RFC 4880 §5.13): AES-CFB with a zero IV over random prefix, data and MDC packet.
    /// The whole plaintext is checked against the MDC before any of it is parsed.</summary>
    private static byte[] DecryptIntegrityProtected(byte[] key, byte[] packet)
    {
        if (packet.Length < 1 || packet[0] != 1) throw Encryption("Unsupported integrity-protected packet version.");
        var plain = Cfb(key, packet.AsSpan(1), encrypt: false);
        const int prefix = 16 + 2, mdc = 22;
        if (plain.Length < prefix + mdc) throw Encryption("The encrypted data is truncated.");
        var hash = SHA1.HashData(plain.AsSpan(0, plain.Length - 20)); // MDC covers prefix, data and its own 0xD3 0x14 header
        if (plain[^22] != 0xD3 || plain[^21] != 0x14 || !CryptographicOperations.FixedTimeEquals(hash, plain.AsSpan(plain.Length - 20)))
            throw Encryption("The message cannot be decrypted: session key or integrity check (MDC) failed.");
        return plain[prefix..^mdc];
    }

    private byte[] VerifySigned(byte[] inner, PgpWork work)
    {
        var content = new InnerContent();
        Walk(inner, content, work, depth: 0);
        if (content.Literal is null) throw Encryption("The encrypted message holds no literal data.");
        if (content.Signatures.Count == 0 && content.Unreadable == 0) throw Signature("The message is not signed.");

        // One good signature from an active Google key suffices (docs/protocol.md §7): one we cannot read
        // or use (a newer version or algorithm Google adds during a migration) is passed over, not fatal.
        var now = Now;
        foreach (var sig in content.Signatures)
        {
            try
            {
                if (IsFromGoogle(sig, content.Literal, now)) return content.Literal;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // a signature we cannot check is simply not a valid one, whichever way the library fails on it
            }
        }
        // No signature verifies: refused as it always was, unreadable packets as a malformed message.
        if (content.Unreadable > 0) throw Encryption("Unreadable signature packet.");
        throw Signature("No valid signature from an active Google key.");
    }

    private bool IsFromGoogle(PgpSignature sig, byte[] literal, DateTime now)
    {
        if (sig.SignatureType is not (PgpSignature.BinaryDocument or PgpSignature.CanonicalTextDocument)) return false;
        if (Array.IndexOf(AcceptedHashes, sig.HashAlgorithm) < 0) return false; // SHA-1/MD5 never count
        if (sig.HasSubpackets && sig.GetHashedSubPackets().GetSignatureExpirationTime() is > 0 and var lifetime
            && sig.CreationTime.AddSeconds(lifetime) <= now) return false; // an expired signature does not count either
        foreach (var key in _google)
        {
            if (!key.Info.CanSign || !key.Info.IsUsable(now) || (sig.KeyId != 0 && sig.KeyId != key.Info.KeyId)) continue;
            if (VerifySignature(sig, key, literal)) return true;
        }
        return false;
    }

    /// <summary>
    /// RSA signatures are checked on the platform's RSA (BouncyCastle's managed public-key operation costs
    /// ≈2 ms, the platform's ≈0.05 ms); other algorithms fall back to BouncyCastle. The hashed trailer is
    /// BouncyCastle's, the same bytes its own verifier would hash.
    /// </summary>
    private static bool VerifySignature(PgpSignature sig, PgpPeerKey key, byte[] data)
    {
        HashAlgorithmName? name = sig.HashAlgorithm switch
        {
            HashAlgorithmTag.Sha256 => HashAlgorithmName.SHA256,
            HashAlgorithmTag.Sha384 => HashAlgorithmName.SHA384,
            HashAlgorithmTag.Sha512 => HashAlgorithmName.SHA512,
            _ => null,
        };
        if (key.Rsa is null || name is null || sig.KeyAlgorithm is not (PublicKeyAlgorithmTag.RsaGeneral or PublicKeyAlgorithmTag.RsaSign))
        {
            sig.InitVerify(key.Key);
            sig.Update(data);
            return sig.Verify();
        }
        using var hash = IncrementalHash.CreateHash(name.Value);
        if (sig.SignatureType == PgpSignature.CanonicalTextDocument) AppendCanonicalText(hash, data);
        else hash.AppendData(data);
        hash.AppendData(sig.GetSignatureTrailer());
        var digest = hash.GetHashAndReset();
        var value = sig.GetSignature();
        if (value.Length > key.Rsa.ModulusBytes) return false;
        var signature = PgpPackets.PadLeft(value, key.Rsa.ModulusBytes);
        return key.Rsa.Use((digest, signature, name.Value), static (rsa, s) =>
            rsa.VerifyHash(s.digest, s.signature, s.Value, RSASignaturePadding.Pkcs1));
    }

    /// <summary>Text signatures (type 0x01) hash the data with every line ending as CR LF (RFC 4880 §5.2.1).</summary>
    private static void AppendCanonicalText(IncrementalHash hash, byte[] data)
    {
        ReadOnlySpan<byte> crlf = [(byte)'\r', (byte)'\n'];
        int start = 0;
        byte last = 0;
        for (int i = 0; i < data.Length; i++)
        {
            byte b = data[i];
            if (b is (byte)'\r' or (byte)'\n')
            {
                hash.AppendData(data.AsSpan(start, i - start));
                if (b == '\r' || last != '\r') hash.AppendData(crlf);
                start = i + 1;
            }
            last = b;
        }
        hash.AppendData(data.AsSpan(start));
    }

    private sealed class InnerContent
    {
        public byte[]? Literal;
        public List<PgpSignature> Signatures { get; } = [];
        /// <summary>Signature packets BouncyCastle could not parse (unknown version, algorithm or subpacket layout).</summary>
        public int Unreadable;
    }

    // Our own packet reader, not BouncyCastle's object factory: it must refuse an unexpected packet
    // before reading its body, count packets as they come and bound decompression (PgpLimits).
    // Signatures are verified directly over the buffered literal data, so one-pass packets (and their
    // order, reversed relative to the signatures) need no matching; this also covers old-style
    // signature-first messages.
    private static void Walk(ReadOnlySpan<byte> data, InnerContent content, PgpWork work, int depth)
    {
        int pos = 0;
        while (PgpPackets.TryPeekTag(data, pos, out int tag))
        {
            work.Packet();
            if (tag is not (PgpPackets.TagCompressed or PgpPackets.TagOnePass or PgpPackets.TagMarker or PgpPackets.TagSignature or PgpPackets.TagLiteral)
                || (tag == PgpPackets.TagLiteral && content.Literal is not null))
                throw Encryption("Unexpected content inside the encrypted message.");
            if (tag == PgpPackets.TagCompressed) work.Compressed(depth);
            if (tag == PgpPackets.TagSignature) work.Signature();
            PgpPackets.TryRead(data, ref pos, out _, out var body);
            switch (tag)
            {
                case PgpPackets.TagCompressed:
                    Walk(PgpDecompression.Inflate(body, work), content, work, depth + 1);
                    break;
                case PgpPackets.TagSignature:
                    if (ParseSignature(body) is { } signature) content.Signatures.Add(signature);
                    else content.Unreadable++;
                    break;
                case PgpPackets.TagLiteral:
                    content.Literal = LiteralData(body);
                    break;
            }
        }
    }

    /// <summary>BouncyCastle parses one signature packet at a time (its size bounded by the message's);
    /// null when it cannot (a version or algorithm it does not know, malformed subpackets).</summary>
    private static PgpSignature? ParseSignature(byte[] body)
    {
        var packet = new MemoryStream(body.Length + 6);
        PgpPackets.Write(packet, PgpPackets.TagSignature, body);
        packet.Position = 0;
        try
        {
            return new PgpObjectFactory(packet).NextPgpObject() is PgpSignatureList { Count: 1 } list ? list[0] : null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    /// <summary>Literal data packet (RFC 4880 §5.9): format, file name, date, then the data.</summary>
    private static byte[] LiteralData(byte[] body)
    {
        if (body.Length < 2 || body.Length < 2 + body[1] + 4) throw Encryption("Truncated literal data packet.");
        int start = 2 + body[1] + 4;
        if (body.Length - start > MaxPlaintextBytes) throw Encryption("The message is too large.");
        return body[start..];
    }

    public byte[] Seal(ReadOnlySpan<byte> json)
    {
        var now = Now;
        var signers = Newest(_own.Where(k => k.Info.CanSign && k.Info.IsUsable(now)), k => k.PrimaryKeyId, k => k.Info.CreatedUtc);
        var recipients = Newest(_google.Where(k => k.Info.CanEncrypt && k.Rsa is not null && k.Info.IsUsable(now)), k => k.PrimaryKeyId, k => k.Info.CreatedUtc);
        if (signers.Count == 0)
            throw new InvalidOperationException($"No active signing key of ours is left: rotate {SecurityConfigurationException.Display(PgpOptions.IntegratorPrivateKeysSetting)}.");
        if (recipients.Count == 0)
            throw new InvalidOperationException($"No active Google encryption key is left: update {SecurityConfigurationException.Display(PgpOptions.GooglePublicKeysSetting)}.");

        uint created = (uint)new DateTimeOffset(now).ToUnixTimeSeconds();
        var inner = new MemoryStream(json.Length + 512 * signers.Count + 64);
        Span<byte> ops = stackalloc byte[13];
        for (int i = 0; i < signers.Count; i++)
        {
            ops[0] = 3; ops[1] = PgpSignature.BinaryDocument; ops[2] = HashSha384; ops[3] = PkRsa;
            BinaryPrimitives.WriteInt64BigEndian(ops[4..], signers[i].Info.KeyId);
            ops[12] = (byte)(i == signers.Count - 1 ? 1 : 0); // 0: another one-pass packet follows
            PgpPackets.Write(inner, PgpPackets.TagOnePass, ops);
        }
        var literal = new byte[6 + json.Length];
        literal[0] = (byte)'b'; literal[1] = 0; // binary, no file name
        BinaryPrimitives.WriteUInt32BigEndian(literal.AsSpan(2), created);
        json.CopyTo(literal.AsSpan(6));
        PgpPackets.Write(inner, PgpPackets.TagLiteral, literal);
        for (int i = signers.Count - 1; i >= 0; i--) // signatures close the one-pass packets in reverse order
            PgpPackets.Write(inner, PgpPackets.TagSignature, SignatureBody(signers[i], json, created));

        var sessionKey = RandomNumberGenerator.GetBytes(32);
        var output = new MemoryStream((int)inner.Length + 512 * recipients.Count + 64);
        foreach (var recipient in recipients)
            PgpPackets.Write(output, PgpPackets.TagPkesk, SessionKeyBody(recipient, sessionKey));
        PgpPackets.Write(output, PgpPackets.TagSeipd, EncryptIntegrityProtected(sessionKey, inner.GetBuffer().AsSpan(0, (int)inner.Length)));
        return Base64Body.EncodeUrl(output.GetBuffer().AsSpan(0, (int)output.Length));
    }

    private static List<T> Newest<T>(IEnumerable<T> keys, Func<T, long> primary, Func<T, DateTime> created) =>
        keys.GroupBy(primary).Select(g => g.OrderByDescending(created).First()).ToList();

    /// <summary>V4 binary-document signature, SHA-384, RSA (RFC 4880 §5.2.3), signed by the platform's RSA.</summary>
    private static byte[] SignatureBody(PgpOwnKey key, ReadOnlySpan<byte> data, uint created)
    {
        var fingerprint = key.Fingerprint;
        int subLength = 6 + 3 + fingerprint.Length; // creation time (len, type, 4) + issuer fingerprint (len, type, version, fpr)
        var hashed = new byte[6 + subLength];
        int p = 0;
        hashed[p++] = 4; hashed[p++] = PgpSignature.BinaryDocument; hashed[p++] = PkRsa; hashed[p++] = HashSha384;
        BinaryPrimitives.WriteUInt16BigEndian(hashed.AsSpan(p), (ushort)subLength); p += 2;
        hashed[p++] = 5; hashed[p++] = (byte)SignatureSubpacketTag.CreationTime;
        BinaryPrimitives.WriteUInt32BigEndian(hashed.AsSpan(p), created); p += 4;
        hashed[p++] = (byte)(2 + fingerprint.Length); hashed[p++] = 33; hashed[p++] = 4; // issuer fingerprint, v4 key
        fingerprint.CopyTo(hashed, p);

        Span<byte> trailer = stackalloc byte[6];
        trailer[0] = 4; trailer[1] = 0xFF;
        BinaryPrimitives.WriteUInt32BigEndian(trailer[2..], (uint)hashed.Length);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA384);
        sha.AppendData(data);
        sha.AppendData(hashed);
        sha.AppendData(trailer);
        var digest = sha.GetHashAndReset();
        var signature = key.Rsa.Use(digest, static (rsa, d) => rsa.SignHash(d, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1));

        var body = new MemoryStream(hashed.Length + 14 + signature.Length);
        body.Write(hashed);
        Span<byte> unhashed = stackalloc byte[2 + 10];
        BinaryPrimitives.WriteUInt16BigEndian(unhashed, 10);
        unhashed[2] = 9; unhashed[3] = (byte)SignatureSubpacketTag.IssuerKeyId;
        BinaryPrimitives.WriteInt64BigEndian(unhashed[4..], key.Info.KeyId);
        body.Write(unhashed);
        body.Write(digest.AsSpan(0, 2));
        PgpPackets.WriteMpi(body, signature);
        return body.ToArray();
    }

    private static byte[] SessionKeyBody(PgpPeerKey recipient, byte[] sessionKey)
    {
        var plain = new byte[1 + sessionKey.Length + 2];
        plain[0] = AlgAes256;
        sessionKey.CopyTo(plain, 1);
        int sum = 0;
        foreach (var b in sessionKey) sum += b;
        BinaryPrimitives.WriteUInt16BigEndian(plain.AsSpan(1 + sessionKey.Length), (ushort)sum);
        var encrypted = recipient.Rsa!.Use(plain, static (rsa, m) => rsa.Encrypt(m, RSAEncryptionPadding.Pkcs1));

        var body = new MemoryStream(10 + 2 + encrypted.Length);
        body.WriteByte(3);
        Span<byte> id = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(id, recipient.Info.KeyId);
        body.Write(id);
        body.WriteByte(PkRsa);
        PgpPackets.WriteMpi(body, encrypted);
        return body.ToArray();
    }

    private static byte[] EncryptIntegrityProtected(byte[] key, ReadOnlySpan<byte> inner)
    {
        var plain = new byte[18 + inner.Length + 22];
        RandomNumberGenerator.Fill(plain.AsSpan(0, 16));
        plain[16] = plain[14]; plain[17] = plain[15]; // quick-check repetition
        inner.CopyTo(plain.AsSpan(18));
        plain[^22] = 0xD3; plain[^21] = 0x14;
        SHA1.HashData(plain.AsSpan(0, plain.Length - 20), plain.AsSpan(plain.Length - 20));
        var cipher = Cfb(key, plain, encrypt: true);
        var packet = new byte[1 + cipher.Length];
        packet[0] = 1;
        cipher.CopyTo(packet, 1);
        return packet;
    }

    /// <summary>AES-CFB128 with a zero IV. .NET wants whole blocks; CFB is byte-wise XOR with a keystream
    /// that depends only on earlier ciphertext, so zero-filling the last block and truncating is exact.</summary>
    private static byte[] Cfb(byte[] key, ReadOnlySpan<byte> input, bool encrypt)
    {
        using var aes = Aes.Create();
        aes.Key = key;
        var buffer = new byte[(input.Length + 15) / 16 * 16];
        input.CopyTo(buffer);
        Span<byte> iv = stackalloc byte[16];
        iv.Clear();
        var output = encrypt
            ? aes.EncryptCfb(buffer, iv, PaddingMode.None, 128)
            : aes.DecryptCfb(buffer, iv, PaddingMode.None, 128);
        return output.AsSpan(0, input.Length).ToArray();
    }

    private static EnvelopeException Encryption(string message) => new(EnvelopeFailure.InvalidEncryption, message);
    private static EnvelopeException Signature(string message) => new(EnvelopeFailure.InvalidSignature, message);
}
