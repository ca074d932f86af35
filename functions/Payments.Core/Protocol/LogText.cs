using System.Globalization;
using System.Text;

namespace Payments.Core.Protocol;

/// <summary>Text from outside, made fit for a log line (and an error description): control characters
/// and the Unicode line separators written as <c>\uXXXX</c>, so that a caller can neither split nor
/// forge lines, and the length capped.</summary>
internal static class LogText
{
    public static string Escape(string? text, int maxLength = 500)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        if (text.Length > maxLength) text = text[..maxLength] + "…";
        if (!text.Any(NeedsEscape)) return text;
        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (NeedsEscape(c)) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return sb.ToString();
    }

    private static bool NeedsEscape(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
