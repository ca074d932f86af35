using System.Buffers;
using System.Buffers.Text;

namespace Payments.Core.Security;

/// <summary>
/// Encoding of PGP bodies. docs/protocol.md §7 says base64url with padding optional. Decision: we also accept the
/// standard alphabet (<c>+/</c>) and ASCII whitespace, because a body's content is authenticated after
/// decoding, so tolerance costs nothing in security and spares a 400 for a harmless client variant.
/// What we reject: a mix of both alphabets in one body, misplaced or excess padding, any other character.
/// We always emit base64url without padding.
/// </summary>
internal static class Base64Body
{
    private static readonly SearchValues<byte> UrlAlphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"u8);

    /// <summary>
    /// Strict base64url of JOSE (RFC 7515 §2: URL alphabet, no padding, no whitespace), straight from the
    /// bytes: only the output is allocated. Null when not that; an empty input is an empty array.
    /// </summary>
    public static byte[]? TryDecodeUrlStrict(ReadOnlySpan<byte> text)
    {
        if (text.ContainsAnyExcept(UrlAlphabet) || text.Length % 4 == 1) return null;
        return Base64Url.DecodeFromUtf8(text);
    }

    public static byte[] EncodeUrl(ReadOnlySpan<byte> data)
    {
        var s = Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return System.Text.Encoding.ASCII.GetBytes(s);
    }

    public static string EncodeUrlString(ReadOnlySpan<byte> data) =>
        Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Decodes base64url or standard base64, padding optional; null when not decodable.</summary>
    public static byte[]? TryDecode(ReadOnlySpan<byte> body)
    {
        var chars = new char[body.Length + 3];
        int n = 0, padding = 0;
        bool url = false, std = false;
        foreach (var b in body)
        {
            char c = (char)b;
            if (c is ' ' or '\t' or '\r' or '\n') continue;
            if (c == '=') { padding++; continue; }
            if (padding > 0) return null; // data after padding
            if (c is '-' or '_') { url = true; c = c == '-' ? '+' : '/'; }
            else if (c is '+' or '/') std = true;
            else if (!char.IsAsciiLetterOrDigit(c)) return null;
            chars[n++] = c;
        }
        if (url && std) return null;
        if (n == 0) return null;
        int rem = n % 4;
        if (rem == 1) return null;
        int needed = rem == 0 ? 0 : 4 - rem;
        if (padding != 0 && padding != needed) return null;
        for (int i = 0; i < needed; i++) chars[n++] = '=';
        try { return Convert.FromBase64CharArray(chars, 0, n); }
        catch (FormatException) { return null; }
    }
}
