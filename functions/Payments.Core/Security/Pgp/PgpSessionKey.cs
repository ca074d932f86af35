using Payments.Core.Security.Rsa;
using static Payments.Core.Security.Rsa.Pkcs1Decryption;

namespace Payments.Core.Security.Pgp;

/// <summary>
/// The session key in a decrypted PKESK value (RFC 4880 §5.1): PKCS#1 v1.5 padding around algorithm ‖ key ‖
/// checksum, AES-128, -192 or -256 only (docs/protocol.md §7: never CAST5/IDEA). Every check runs on every
/// value and folds into one mask, so a bad padding, algorithm, length or checksum costs the same as a good
/// key: no padding oracle (Bleichenbacher).
/// </summary>
internal static class PgpSessionKey
{
    private static readonly (byte Algorithm, int Length)[] Aes = [(7, 16), (8, 24), (9, 32)];

    /// <summary>
    /// When <paramref name="em"/> holds a valid session key and <paramref name="found"/> is zero: copies it to
    /// the start of <paramref name="key"/> (32 bytes), sets <paramref name="keyLength"/> (16, 24 or 32: the AES
    /// variant follows from it) and sets <paramref name="found"/> to all ones. Otherwise changes nothing.
    /// </summary>
    public static void Select(ReadOnlySpan<byte> em, Span<byte> key, ref int keyLength, ref uint found)
    {
        uint padding = CheckPadding(em, out int messageLength);
        foreach (var (algorithm, length) in Aes)
        {
            var message = em[^(length + 3)..];
            int sum = 0;
            for (int i = 1; i <= length; i++) sum += message[i];
            uint ok = padding & ~found & Equal(messageLength, length + 3) & Equal(message[0], algorithm)
                & Equal(sum & 0xFFFF, message[length + 1] << 8 | message[length + 2]);
            Pkcs1Decryption.Select(ok, message.Slice(1, length), key[..length]);
            keyLength = (int)((ok & (uint)length) | (~ok & (uint)keyLength));
            found |= ok;
        }
    }
}
