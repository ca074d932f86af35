using System.Buffers;
using System.Text;

namespace Payments.Core.Logging;

/// <summary>
/// A text with its percent-escapes decoded (hex digits in either case; a run of escapes that spells a
/// UTF-8 character becomes that character), each character knowing the span of the original text it
/// came from, so that what is found in the decoded text can be masked in the original. Decoded again
/// and again (<c>%2563</c> is <c>%63</c>, then <c>c</c>), each round one of <see cref="Rounds"/>.
/// </summary>
internal static class PercentDecodedText
{
    /// <summary>One character of a decoded text and the span [Start, End) of the original it stands for.</summary>
    public readonly record struct Unit(char Char, int Start, int End);

    /// <summary>How many times the text is decoded at most: more than any host or proxy decodes a request.</summary>
    public const int MaxRounds = 4;

    /// <summary>The text itself, then each decoding of it that changed something.</summary>
    public static IEnumerable<Unit[]> Rounds(string text)
    {
        var units = new Unit[text.Length];
        for (var i = 0; i < text.Length; i++) units[i] = new Unit(text[i], i, i + 1);
        yield return units;
        for (var round = 0; round < MaxRounds && Array.Exists(units, u => u.Char == '%'); round++)
        {
            var decoded = DecodeOnce(units);
            if (decoded is null) yield break;
            yield return units = decoded;
        }
    }

    /// <summary>Every escape (or run of escapes forming one UTF-8 character) decoded once; null if there was none.</summary>
    private static Unit[]? DecodeOnce(Unit[] units)
    {
        var result = new List<Unit>(units.Length);
        Span<byte> bytes = stackalloc byte[4];
        Span<char> chars = stackalloc char[2];
        var changed = false;
        for (var i = 0; i < units.Length;)
        {
            var length = TryByte(units, i, out var lead) ? Utf8Length(lead) : 0;
            var count = 0;
            while (count < length && TryByte(units, i + 3 * count, out var b) && (count == 0 || (b & 0xC0) == 0x80)) bytes[count++] = b;
            if (length > 0 && count == length && Rune.DecodeFromUtf8(bytes[..length], out var rune, out _) == OperationStatus.Done)
            {
                var end = units[i + 3 * length - 1].End;
                foreach (var c in chars[..rune.EncodeToUtf16(chars)]) result.Add(new Unit(c, units[i].Start, end));
                i += 3 * length;
                changed = true;
            }
            else result.Add(units[i++]);
        }
        return changed ? result.ToArray() : null;
    }

    private static bool TryByte(Unit[] units, int i, out byte value)
    {
        value = 0;
        if (i + 2 >= units.Length || units[i].Char != '%') return false;
        var high = HexValue(units[i + 1].Char);
        var low = HexValue(units[i + 2].Char);
        if (high < 0 || low < 0) return false;
        value = (byte)(high << 4 | low);
        return true;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private static int Utf8Length(byte lead) => lead switch
    {
        < 0x80 => 1,
        >= 0xC2 and < 0xE0 => 2,
        >= 0xE0 and < 0xF0 => 3,
        >= 0xF0 and < 0xF5 => 4,
        _ => 0,
    };
}
