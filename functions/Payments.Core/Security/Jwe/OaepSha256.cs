using System.Buffers.Binary;
using System.Security.Cryptography;
using Payments.Core.Security.Rsa;

namespace Payments.Core.Security.Jwe;

/// <summary>
/// RSAES-OAEP decoding (RFC 8017 §7.1.2, SHA-256 and MGF1-SHA-256, empty label) of a raw RSA result whose
/// message has a known length, in constant time: every check is folded into one mask over all bytes and no
/// exception is thrown, so a failed decoding costs what a good one costs (docs/input-limits.md, JWE bodies).
/// With the length known there is no separator to search for: it must stand right before the message.
/// </summary>
internal static class OaepSha256
{
    private const int HashBytes = 32;

    /// <summary>SHA-256 of the empty label.</summary>
    private static readonly byte[] LabelHash = SHA256.HashData([]);

    /// <summary>Decodes <paramref name="encoded"/> (the RSA result, as long as the modulus) into
    /// <paramref name="message"/>. Returns all ones when the encoding is valid, else zero (message then holds
    /// garbage the caller must replace without branching on it: <see cref="Pkcs1Decryption.Select"/>).</summary>
    public static uint Decode(ReadOnlySpan<byte> encoded, Span<byte> message)
    {
        int k = encoded.Length, dbLength = k - HashBytes - 1, separator = dbLength - message.Length - 1;
        if (separator < HashBytes) throw new ArgumentException("The modulus is too small for this message length.");

        Span<byte> seed = stackalloc byte[HashBytes];
        var db = new byte[dbLength];
        Mgf1(encoded[(1 + HashBytes)..], seed);
        Xor(seed, encoded.Slice(1, HashBytes));
        Mgf1(seed, db);
        Xor(db, encoded[(1 + HashBytes)..]);

        int bad = encoded[0];
        for (int i = 0; i < HashBytes; i++) bad |= db[i] ^ LabelHash[i];
        for (int i = HashBytes; i < separator; i++) bad |= db[i];
        bad |= db[separator] ^ 0x01;
        db.AsSpan(separator + 1).CopyTo(message);
        CryptographicOperations.ZeroMemory(db);
        return Pkcs1Decryption.IsZero((uint)bad);
    }

    private static void Mgf1(ReadOnlySpan<byte> input, Span<byte> output)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> counter = stackalloc byte[4];
        Span<byte> block = stackalloc byte[HashBytes];
        for (int done = 0, c = 0; done < output.Length; done += HashBytes, c++)
        {
            BinaryPrimitives.WriteInt32BigEndian(counter, c);
            hash.AppendData(input);
            hash.AppendData(counter);
            hash.GetHashAndReset(block);
            block[..Math.Min(HashBytes, output.Length - done)].CopyTo(output[done..]);
        }
    }

    private static void Xor(Span<byte> target, ReadOnlySpan<byte> with)
    {
        for (int i = 0; i < target.Length; i++) target[i] ^= with[i];
    }
}
