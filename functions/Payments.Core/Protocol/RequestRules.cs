using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Payments.Core.Protocol;

/// <summary>
/// One text policy for every string we store or echo, protocol fields and internal routes alike
/// (docs/input-limits.md, "Text"). Such strings end up in operator views, logs and storage keys, so
/// none may hold what hides or reorders text there: control characters, the directional embeddings,
/// overrides and isolates (U+202A–202E, U+2066–2069), the line and paragraph separators, noncharacters
/// (U+FDD0–FDEF, U+xFFFE/xFFFF) or a lone surrogate.
/// </summary>
internal static class RequestRules
{
    /// <summary>An id chosen freely by Google or the integrator's own systems (a mandateId, a store's
    /// transaction id, a reference number): 1 to <paramref name="maxLength"/> characters of the text
    /// policy, without tab or line breaks and without the directional marks (U+200E, U+200F, U+061C),
    /// so that it can be stored, echoed and logged as it is.</summary>
    public static bool IsPrintableId(string? value, int maxLength) =>
        !string.IsNullOrEmpty(value) && value.Length <= maxLength && IsText(value, freeText: false);

    /// <summary>Free text (descriptions, names, a frequency): the text policy, where tab, CR, LF and the
    /// directional marks (U+200E, U+200F, U+061C, which mixed-direction text needs) are allowed.</summary>
    public static bool IsFreeText(string value) => IsText(value, freeText: true);

    private static bool IsText(string value, bool freeText)
    {
        for (var i = 0; i < value.Length; i++)
        {
            int c = value[i];
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                c = char.ConvertToUtf32(value[i], value[++i]);
            else if (char.IsSurrogate(value[i])) return false;
            if (!IsAllowed(c, freeText)) return false;
        }
        return true;
    }

    private static bool IsAllowed(int c, bool freeText) => c switch
    {
        0x09 or 0x0A or 0x0D => freeText,
        < 0x20 or (>= 0x7F and <= 0x9F) => false, // C0, DEL, C1
        0x200E or 0x200F or 0x061C => freeText,
        (>= 0x202A and <= 0x202E) or (>= 0x2066 and <= 0x2069) or 0x2028 or 0x2029 => false,
        >= 0xFDD0 and <= 0xFDEF => false,
        _ => (c & 0xFFFE) != 0xFFFE, // U+xFFFE and U+xFFFF in every plane
    };

    public static bool IsValidRequestId([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 100) return false;
        foreach (var c in value)
            if (!(char.IsAsciiLetterOrDigit(c) || c is ':' or '-' or '_')) return false;
        return true;
    }
}
