using System.Buffers.Binary;

namespace Payments.Core.Security.Pgp;

/// <summary>
/// Minimal OpenPGP packet framing (RFC 4880 §4.2) for the outer layer of messages: we parse the
/// session-key and encrypted-data packets ourselves because the private-key operation must run on the
/// platform's RSA (OpenSSL), which BouncyCastle's decryptor does not let us plug in.
/// </summary>
internal static class PgpPackets
{
    public const int TagPkesk = 1, TagSignature = 2, TagSkesk = 3, TagOnePass = 4, TagCompressed = 8,
        TagSed = 9, TagMarker = 10, TagLiteral = 11, TagSeipd = 18, TagMdc = 19;

    /// <summary>The tag of the packet at <paramref name="pos"/>, without reading it. False at the end of data.</summary>
    /// <exception cref="FormatException">not a packet header</exception>
    public static bool TryPeekTag(ReadOnlySpan<byte> data, int pos, out int tag)
    {
        tag = 0;
        if (pos >= data.Length) return false;
        byte h = data[pos];
        if ((h & 0x80) == 0) throw new FormatException("not a packet header");
        tag = (h & 0x40) != 0 ? h & 0x3F : (h >> 2) & 0x0F;
        return true;
    }

    /// <summary>Reads the next packet; partial body lengths are reassembled. False at the end of data.</summary>
    /// <exception cref="FormatException">malformed framing</exception>
    public static bool TryRead(ReadOnlySpan<byte> data, ref int pos, out int tag, out byte[] body)
    {
        tag = 0; body = [];
        if (pos >= data.Length) return false;
        byte h = data[pos++];
        if ((h & 0x80) == 0) throw new FormatException("not a packet header");
        if ((h & 0x40) != 0)
        {
            tag = h & 0x3F;
            using var ms = new MemoryStream();
            while (true)
            {
                int first = Byte(data, ref pos);
                if (first < 192) { Take(data, ref pos, first, ms); break; }
                if (first < 224) { int len = ((first - 192) << 8) + Byte(data, ref pos) + 192; Take(data, ref pos, len, ms); break; }
                if (first == 255)
                {
                    if (pos + 4 > data.Length) throw new FormatException("truncated length");
                    uint len = BinaryPrimitives.ReadUInt32BigEndian(data[pos..]);
                    pos += 4;
                    if (len > int.MaxValue) throw new FormatException("length too large");
                    Take(data, ref pos, (int)len, ms);
                    break;
                }
                Take(data, ref pos, 1 << (first & 0x1F), ms); // partial body length; more follows
            }
            body = ms.ToArray();
        }
        else
        {
            tag = (h >> 2) & 0x0F;
            int lt = h & 3;
            int len;
            switch (lt)
            {
                case 0: len = Byte(data, ref pos); break;
                case 1: len = (Byte(data, ref pos) << 8) | Byte(data, ref pos); break;
                case 2:
                    if (pos + 4 > data.Length) throw new FormatException("truncated length");
                    uint l = BinaryPrimitives.ReadUInt32BigEndian(data[pos..]);
                    pos += 4;
                    if (l > int.MaxValue) throw new FormatException("length too large");
                    len = (int)l;
                    break;
                default: len = data.Length - pos; break; // indeterminate: to the end
            }
            if (len > data.Length - pos) throw new FormatException("truncated packet");
            body = data.Slice(pos, len).ToArray();
            pos += len;
        }
        return true;
    }

    private static int Byte(ReadOnlySpan<byte> data, ref int pos) =>
        pos < data.Length ? data[pos++] : throw new FormatException("truncated packet");

    private static void Take(ReadOnlySpan<byte> data, ref int pos, int len, MemoryStream into)
    {
        if (len < 0 || len > data.Length - pos) throw new FormatException("truncated packet");
        into.Write(data.Slice(pos, len));
        pos += len;
    }

    /// <summary>Writes a new-format packet with a definite length.</summary>
    public static void Write(Stream output, int tag, ReadOnlySpan<byte> body)
    {
        output.WriteByte((byte)(0xC0 | tag));
        int len = body.Length;
        if (len < 192) output.WriteByte((byte)len);
        else if (len < 8384)
        {
            int v = len - 192;
            output.WriteByte((byte)((v >> 8) + 192));
            output.WriteByte((byte)v);
        }
        else
        {
            output.WriteByte(255);
            Span<byte> l = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(l, (uint)len);
            output.Write(l);
        }
        output.Write(body);
    }

    /// <summary>Reads an MPI (2-byte bit count, big-endian magnitude).</summary>
    public static byte[] ReadMpi(ReadOnlySpan<byte> data, ref int pos)
    {
        if (pos + 2 > data.Length) throw new FormatException("truncated MPI");
        int bits = (data[pos] << 8) | data[pos + 1];
        pos += 2;
        int len = (bits + 7) / 8;
        if (len > data.Length - pos) throw new FormatException("truncated MPI");
        var value = data.Slice(pos, len).ToArray();
        pos += len;
        return value;
    }

    public static void WriteMpi(Stream output, ReadOnlySpan<byte> magnitude)
    {
        int i = 0;
        while (i < magnitude.Length && magnitude[i] == 0) i++;
        var m = magnitude[i..];
        int bits = m.Length == 0 ? 0 : (m.Length - 1) * 8 + (8 - System.Numerics.BitOperations.LeadingZeroCount((uint)m[0]) + 24);
        output.WriteByte((byte)(bits >> 8));
        output.WriteByte((byte)bits);
        output.Write(m);
    }

    /// <summary>Left-pads a big-endian magnitude to <paramref name="length"/> bytes (RSA wants full-length input).</summary>
    public static byte[] PadLeft(byte[] value, int length)
    {
        if (value.Length == length) return value;
        if (value.Length > length)
        {
            int extra = value.Length - length;
            for (int i = 0; i < extra; i++) if (value[i] != 0) throw new FormatException("value longer than modulus");
            return value[extra..];
        }
        var padded = new byte[length];
        value.CopyTo(padded, length - value.Length);
        return padded;
    }
}
