using System.Diagnostics;
using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Payments.Core.Security.Pgp;

namespace Payments.Tests.Adversarial;

/// <summary>
/// Hostile OpenPGP messages that anyone holding our public key can send: compression bombs, packet,
/// signature and session-key floods, deep nesting. Shared by the adversarial tests and the
/// <c>pgp-hostile</c> benchmark (linked into Payments.Benchmarks).
/// </summary>
public static class PgpBombs
{
    public const byte Zip = 1, ZLib = 2, BZip2 = 3;
    public static readonly byte[] Algorithms = [Zip, ZLib, BZip2];

    public static string AlgorithmName(byte algorithm) => algorithm switch { Zip => "zip", ZLib => "zlib", BZip2 => "bzip2", _ => "none" };

    private const int ChunkBits = 16;

    /// <summary>Writes a packet of <paramref name="tag"/> whose body is <paramref name="length"/> zero bytes,
    /// definite length or partial lengths (64 KiB chunks), without holding the body in memory.</summary>
    public static void ZeroPacket(Stream output, int tag, long length, bool partial)
    {
        var zeros = new byte[1 << ChunkBits];
        output.WriteByte((byte)(0xC0 | tag));
        if (!partial)
        {
            WriteLength(output, length);
            for (long left = length; left > 0; left -= zeros.Length) output.Write(zeros, 0, (int)Math.Min(left, zeros.Length));
            return;
        }
        long rest = length;
        while (rest >= zeros.Length)
        {
            output.WriteByte(224 + ChunkBits);
            output.Write(zeros);
            rest -= zeros.Length;
        }
        WriteLength(output, rest); // the last chunk has a definite length
        output.Write(zeros, 0, (int)rest);
    }

    /// <summary>A packet holding <paramref name="body"/>, definite length or partial lengths of 2^<paramref name="chunkBits"/> bytes.</summary>
    public static void Packet(Stream output, int tag, ReadOnlySpan<byte> body, bool partial = false, int chunkBits = 9)
    {
        output.WriteByte((byte)(0xC0 | tag));
        if (partial)
        {
            while (body.Length >= 1 << chunkBits)
            {
                output.WriteByte((byte)(224 + chunkBits));
                output.Write(body[..(1 << chunkBits)]);
                body = body[(1 << chunkBits)..];
            }
        }
        WriteLength(output, body.Length);
        output.Write(body);
    }

    private static void WriteLength(Stream output, long length)
    {
        output.WriteByte(255);
        for (int shift = 24; shift >= 0; shift -= 8) output.WriteByte((byte)(length >> shift));
    }

    /// <summary>A compressed data packet whose decompressed content is what <paramref name="content"/> writes.
    /// BZip2 comes from the <c>bzip2</c> command (BouncyCastle's compressor takes seconds per MiB of zeros).</summary>
    public static byte[] Compressed(byte algorithm, Action<Stream> content, bool partial = false)
    {
        var compressed = new MemoryStream();
        compressed.WriteByte(algorithm);
        if (algorithm == BZip2) Bzip2Command(content, compressed);
        else
        {
            using Stream compressor = algorithm switch
            {
                Zip => new DeflateStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true),
                ZLib => new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true),
                _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
            };
            using var buffered = new BufferedStream(compressor, 1 << 16);
            content(buffered);
        }
        var packet = new MemoryStream();
        Packet(packet, PgpPackets.TagCompressed, compressed.ToArray(), partial);
        return packet.ToArray();
    }

    private static void Bzip2Command(Action<Stream> content, Stream output)
    {
        var psi = new ProcessStartInfo("bzip2", "-c -9") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(psi)!;
        var copy = process.StandardOutput.BaseStream.CopyToAsync(output);
        using (var input = new BufferedStream(process.StandardInput.BaseStream, 1 << 16)) content(input);
        copy.GetAwaiter().GetResult();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"bzip2 failed ({process.ExitCode})");
    }

    /// <summary>The smallest signature packet BouncyCastle parses: v4, no subpackets, a one-byte MPI.</summary>
    public static readonly byte[] TinySignature = [0xC2, 13, 4, 0, 1, 8, 0, 0, 0, 0, 0, 0, 0, 1, 1];

    /// <summary>A signature packet (tag 2, header included) no verifier can use, naming <paramref name="keyId"/>:
    /// <c>v4-alg99</c> (unknown public-key algorithm), <c>v4-hash99</c> (RSA, unknown hash), <c>v4-bad-subpacket</c>
    /// (a subpacket longer than its area), <c>v5</c> and <c>v6</c> (newer versions, RSA, SHA-512: their layout,
    /// random values).</summary>
    public static byte[] UnusableSignature(string kind, long keyId)
    {
        byte[] issuer = [9, 16, .. KeyIdBytes(keyId)];
        byte[] created = [5, 2, 0x65, 0, 0, 0];
        var value = new byte[256];
        Random.Shared.NextBytes(value);
        value[0] |= 0x80;
        var body = new MemoryStream();
        void Area(byte[] area, int lengthBytes)
        {
            for (int shift = 8 * (lengthBytes - 1); shift >= 0; shift -= 8) body.WriteByte((byte)(area.Length >> shift));
            body.Write(area);
        }
        switch (kind)
        {
            case "v4-alg99" or "v4-hash99" or "v4-bad-subpacket":
                body.Write([4, 0, (byte)(kind == "v4-alg99" ? 99 : 1), (byte)(kind == "v4-hash99" ? 99 : 10)]);
                Area(kind == "v4-bad-subpacket" ? [.. created, 40, 2, 0, 0] : created, 2);
                Area(issuer, 2);
                body.Write([0x12, 0x34]);
                PgpPackets.WriteMpi(body, value);
                break;
            case "v5" or "v6":
                body.Write([(byte)(kind == "v5" ? 5 : 6), 0, 1, 10]);
                Area(created, 4);
                Area(issuer, 4);
                body.Write([0x12, 0x34]);
                if (kind == "v6") { body.WriteByte(32); body.Write(new byte[32]); } // salt
                PgpPackets.WriteMpi(body, value);
                break;
            default: throw new ArgumentOutOfRangeException(nameof(kind));
        }
        var packet = new MemoryStream();
        PgpPackets.Write(packet, PgpPackets.TagSignature, body.ToArray());
        return packet.ToArray();
    }

    /// <summary>A v3 one-pass signature packet for a binary document (RSA, SHA-512), <paramref name="last"/>
    /// set when no other one-pass packet follows it.</summary>
    public static byte[] OnePass(long keyId, bool last, byte algorithm = 1)
    {
        var packet = new MemoryStream();
        PgpPackets.Write(packet, PgpPackets.TagOnePass, [3, 0, 10, algorithm, .. KeyIdBytes(keyId), (byte)(last ? 1 : 0)]);
        return packet.ToArray();
    }

    private static byte[] KeyIdBytes(long keyId)
    {
        var id = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(id, keyId);
        return id;
    }

    /// <summary><paramref name="unit"/> repeated up to <paramref name="bytes"/> bytes.</summary>
    public static void Repeat(Stream output, byte[] unit, long bytes)
    {
        for (long written = 0; written + unit.Length <= bytes; written += unit.Length) output.Write(unit);
    }

    /// <summary>Encrypts <paramref name="inner"/> to the encryption subkey of <paramref name="armoredPublicKey"/>
    /// as BouncyCastle's generator does (RSA session key for AES-256, MDC, 64 KiB partial-length chunks): the raw
    /// binary message. Built here on .NET's RSA and AES, independent of the envelope: the generator re-checks
    /// the key's modulus (Miller-Rabin in managed code) on every message, most of the cost of a bomb test.</summary>
    public static byte[] Encrypt(byte[] inner, string armoredPublicKey)
    {
        var (keyId, key) = Recipients.GetOrAdd(armoredPublicKey, EncryptionSubkey);
        var sessionKey = RandomNumberGenerator.GetBytes(32);
        int sum = sessionKey.Sum(b => b);
        using var rsa = RSA.Create(key);
        var output = new MemoryStream();
        var pkesk = new MemoryStream();
        pkesk.Write([3, .. KeyIdBytes(keyId), 1]); // v3, recipient, RSA
        PgpPackets.WriteMpi(pkesk, rsa.Encrypt([9, .. sessionKey, (byte)(sum >> 8), (byte)sum], RSAEncryptionPadding.Pkcs1));
        PgpPackets.Write(output, PgpPackets.TagPkesk, pkesk.ToArray());

        // RFC 4880 §5.13: CFB with a zero IV over a random block (its last two bytes repeated), the data and the MDC packet.
        var prefix = RandomNumberGenerator.GetBytes(18);
        prefix[16] = prefix[14];
        prefix[17] = prefix[15];
        byte[] plain = [.. prefix, .. inner, 0xD3, 0x14];
        plain = [.. plain, .. SHA1.HashData(plain)];
        using var aes = Aes.Create();
        aes.Key = sessionKey;
        var blocks = new byte[(plain.Length + 15) / 16 * 16]; // CFB is a stream mode: the padding's output is cut off
        plain.CopyTo(blocks, 0);
        var encrypted = aes.EncryptCfb(blocks, new byte[16], PaddingMode.None, feedbackSizeInBits: 128).AsSpan(0, plain.Length);
        Packet(output, PgpPackets.TagSeipd, [1, .. encrypted], partial: 1 + encrypted.Length > 1 << ChunkBits, chunkBits: ChunkBits);
        return output.ToArray();
    }

    private static readonly ConcurrentDictionary<string, (long KeyId, RSAParameters Key)> Recipients = new();

    private static (long KeyId, RSAParameters Key) EncryptionSubkey(string armoredPublicKey)
    {
        var ring = new PgpPublicKeyRingBundle(PgpUtilities.GetDecoderStream(new MemoryStream(Encoding.ASCII.GetBytes(armoredPublicKey))));
        var subkey = ring.GetKeyRings().Cast<PgpPublicKeyRing>().First().GetPublicKeys().Cast<PgpPublicKey>().First(k => !k.IsMasterKey);
        var rsa = (RsaPublicBcpgKey)subkey.PublicKeyPacket.Key;
        return (subkey.KeyId, new RSAParameters { Modulus = rsa.Modulus.ToByteArrayUnsigned(), Exponent = rsa.PublicExponent.ToByteArrayUnsigned() });
    }

    /// <summary>Decrypts a raw message with BouncyCastle (independent of the envelope): the packets inside the encryption.</summary>
    public static byte[] Decrypt(byte[] raw, string armoredSecretKey)
    {
        var keys = new PgpSecretKeyRingBundle(PgpUtilities.GetDecoderStream(new MemoryStream(Encoding.ASCII.GetBytes(armoredSecretKey))));
        var list = (PgpEncryptedDataList)new PgpObjectFactory(raw).NextPgpObject();
        var data = list.GetEncryptedDataObjects().Cast<PgpPublicKeyEncryptedData>().First(d => keys.GetSecretKey(d.KeyId) is not null);
        var privateKey = keys.GetSecretKey(data.KeyId).ExtractPrivateKey([]);
        using var output = new MemoryStream();
        data.GetDataStream(privateKey).CopyTo(output);
        return output.ToArray();
    }

    /// <summary>Splits a raw message into its outer packets (header and body bytes together).</summary>
    public static List<byte[]> OuterPackets(byte[] raw)
    {
        var packets = new List<byte[]>();
        int pos = 0, start = 0;
        while (PgpPackets.TryRead(raw, ref pos, out _, out _))
        {
            packets.Add(raw[start..pos]);
            start = pos;
        }
        return packets;
    }

    /// <summary>A sealed body with the last byte of one outer packet flipped: 0, the session key's RSA value
    /// (bad padding); 1, the encrypted data's MDC (a bad integrity check); -1, none.</summary>
    public static byte[] WithOuterPacketFlipped(byte[] body, int packet)
    {
        var outer = OuterPackets(FromBody(body));
        if (packet >= 0) outer[packet][^1] ^= 1;
        return ToBody([.. outer.SelectMany(p => p)]);
    }

    /// <summary>As many copies of <paramref name="packet"/> as fit in <paramref name="bytes"/>, then <paramref name="rest"/>.</summary>
    public static byte[] Flood(byte[] packet, long bytes, params byte[][] rest)
    {
        var output = new MemoryStream();
        Repeat(output, packet, bytes - rest.Sum(r => r.Length));
        foreach (var r in rest) output.Write(r);
        return output.ToArray();
    }

    /// <summary>A session-key packet naming <paramref name="keyId"/> (0: hidden recipient) with an RSA value of <paramref name="bytes"/> bytes.</summary>
    public static byte[] Pkesk(long keyId, int bytes)
    {
        var body = new MemoryStream();
        body.WriteByte(3);
        for (int shift = 56; shift >= 0; shift -= 8) body.WriteByte((byte)(keyId >> shift));
        body.WriteByte(1);
        var value = new byte[bytes];
        Random.Shared.NextBytes(value);
        value[0] |= 0x80;
        PgpPackets.WriteMpi(body, value);
        var packet = new MemoryStream();
        PgpPackets.Write(packet, PgpPackets.TagPkesk, body.ToArray());
        return packet.ToArray();
    }

    public static byte[] FromBody(byte[] body)
    {
        var s = Encoding.ASCII.GetString(body).Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight((s.Length + 3) / 4 * 4, '='));
    }

    public static byte[] ToBody(byte[] raw) =>
        Encoding.ASCII.GetBytes(Convert.ToBase64String(raw).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
}
