namespace Payments.Core.Security.Pgp;

/// <summary>
/// Bounds on the work one incoming message may cause. Everything before the signature check can be
/// triggered by anyone holding our public key, so each bound is enforced as the count grows, before the
/// next expensive step. A valid Google message (a few KB of JSON, one or two recipients and signers)
/// stays far below every one of them; see Security/README.md for the reasoning.
/// </summary>
internal static class PgpLimits
{
    /// <summary>Packets of every layer together (outer, decrypted, decompressed). Google: ≈ 4–10.</summary>
    public const int MaxPackets = 32;

    /// <summary>Signature packets. Google: one per signing key, two during its key rotation.</summary>
    public const int MaxSignatures = 8;

    /// <summary>Compressed packets per message; one compressed packet may not hold another (depth 1).</summary>
    public const int MaxCompressedPackets = 1, MaxCompressionDepth = 1;

    /// <summary>
    /// Bytes produced by decompression, whatever they hold. A request body is at most 1 MiB of base64,
    /// so an uncompressed message carries under 768 KiB; compression never needs to give more than that.
    /// </summary>
    public const int MaxDecompressedBytes = 1 << 20;

    /// <summary>
    /// Compressed input to BZip2. BouncyCastle's BZip2 decoder is managed code, slowest on incompressible
    /// content (≈ 80 ns per byte, where input is as large as output: 700 KB cost ≈ 57 ms of CPU). 64 KiB of
    /// input keeps that case small and still holds a JSON body of several hundred KB.
    /// </summary>
    public const int MaxBzip2InputBytes = 64 << 10;

    /// <summary>Literal data (the JSON). Same reasoning as <see cref="MaxDecompressedBytes"/>.</summary>
    public const int MaxPlaintextBytes = 1 << 20;
}

/// <summary>
/// What opening one message has cost so far. Each step reports here before doing its work and the
/// report throws (400) once a <see cref="PgpLimits"/> bound is passed. Not thread-safe: one per message.
/// </summary>
internal sealed class PgpWork
{
    public int Packets { get; private set; }
    public int Signatures { get; private set; }
    public int CompressedPackets { get; private set; }
    public int MaxDepth { get; private set; }
    public long DecompressedBytes { get; private set; }

    /// <summary>RSA private-key operations; at most one per decryption key we hold (enforced by the caller).</summary>
    public int PrivateKeyOperations { get; private set; }

    public void Packet()
    {
        if (++Packets > PgpLimits.MaxPackets) throw Exceeded($"more than {PgpLimits.MaxPackets} packets");
    }

    public void Signature()
    {
        if (++Signatures > PgpLimits.MaxSignatures) throw Exceeded($"more than {PgpLimits.MaxSignatures} signatures");
    }

    public void Compressed(int depth)
    {
        if (depth >= PgpLimits.MaxCompressionDepth) throw Exceeded("compressed data inside compressed data");
        if (++CompressedPackets > PgpLimits.MaxCompressedPackets) throw Exceeded($"more than {PgpLimits.MaxCompressedPackets} compressed packet");
        MaxDepth = Math.Max(MaxDepth, depth + 1);
    }

    /// <summary>How many more bytes decompression may produce (reading one past it proves the excess).</summary>
    public int DecompressionLeft => (int)(PgpLimits.MaxDecompressedBytes - DecompressedBytes);

    public void Decompressed(int bytes)
    {
        DecompressedBytes += bytes;
        if (DecompressedBytes > PgpLimits.MaxDecompressedBytes) throw Exceeded($"decompresses to more than {PgpLimits.MaxDecompressedBytes} bytes");
    }

    public static void Bzip2Input(int bytes)
    {
        if (bytes > PgpLimits.MaxBzip2InputBytes) throw Exceeded($"more than {PgpLimits.MaxBzip2InputBytes} bytes of BZip2 input");
    }

    public void PrivateKeyOperation() => PrivateKeyOperations++;

    private static EnvelopeException Exceeded(string what) =>
        new(EnvelopeFailure.InvalidEncryption, $"The message exceeds a processing limit: {what}.");
}
