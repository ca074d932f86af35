using System.IO.Compression;
using Org.BouncyCastle.Utilities.Bzip2;

namespace Payments.Core.Security.Pgp;

/// <summary>
/// Compressed data packets (RFC 4880 §5.6): ZIP (raw deflate), ZLIB, BZip2 or uncompressed. Output is
/// counted against <see cref="PgpLimits.MaxDecompressedBytes"/> as it is produced and reading stops at
/// one byte past it, so a small packet can never inflate without bound whatever it holds.
/// </summary>
internal static class PgpDecompression
{
    private const byte Uncompressed = 0, Zip = 1, ZLib = 2, BZip2 = 3;

    /// <exception cref="EnvelopeException">unknown algorithm or over the limit</exception>
    /// <exception cref="InvalidDataException">corrupt deflate data</exception>
    /// <exception cref="IOException">corrupt BZip2 data</exception>
    public static byte[] Inflate(byte[] packet, PgpWork work)
    {
        if (packet.Length < 1) throw new FormatException("empty compressed data packet");
        if (packet[0] == BZip2) PgpWork.Bzip2Input(packet.Length - 1);
        var compressed = new MemoryStream(packet, 1, packet.Length - 1, writable: false);
        using Stream source = packet[0] switch
        {
            Uncompressed => compressed,
            Zip => new DeflateStream(compressed, CompressionMode.Decompress),
            ZLib => new ZLibStream(compressed, CompressionMode.Decompress),
            BZip2 => new CBZip2InputStream(compressed),
            _ => throw new EnvelopeException(EnvelopeFailure.InvalidEncryption, "Unsupported compression algorithm."),
        };
        var output = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int n;
        // Ask for at most one byte past what is left: the excess is proven without producing more.
        while ((n = source.Read(buffer, 0, Math.Min(buffer.Length, work.DecompressionLeft + 1))) > 0)
        {
            work.Decompressed(n);
            output.Write(buffer, 0, n);
        }
        return output.ToArray();
    }
}
