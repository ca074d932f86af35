using System.Globalization;
using System.Text.RegularExpressions;
using Payments.Core.BackOffice;
using Payments.Core.Security;
using Payments.Core.Storage;

namespace Payments.Core.Logging;

/// <summary>
/// What a log line may not carry, and how it is made safe: every secret the host holds (by value), a
/// query string's key parameters (<c>code</c>, the Functions host's key parameter, and its kin), the values
/// of headers that carry keys, and control characters (escaped as <c>\uXXXX</c>, so a request cannot forge
/// or split log lines).
/// </summary>
public sealed partial class LogRedactor
{
    public const string Mask = "***";

    /// <summary>Headers whose value is a credential.</summary>
    public static readonly IReadOnlySet<string> SecretHeaders = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "x-functions-key", "x-internal-key", "authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "set-cookie",
        "ocp-apim-subscription-key", "x-ms-client-principal", "x-ms-token-aad-access-token",
    };

    /// <summary>One of <see cref="SecretHeaders"/> written as <c>name: value</c> (or <c>name=value</c>), to the end of the line.</summary>
    private static readonly Regex HeaderLine = new(
        $@"(?<name>\b(?:{string.Join('|', SecretHeaders.Select(Regex.Escape))}))\s*[:=]\s*[^\r\n]*",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled);

    /// <summary>Secrets shorter than this are not searched for by value: they would mask ordinary words.
    /// (The patterns still mask them where they appear as a key parameter or header.)</summary>
    private const int MinSecretLength = 8;

    private readonly string[] _secrets;
    /// <summary>The secrets as they are, searched for in the percent-decoded text.</summary>
    private readonly string[] _decodedSecrets;
    /// <summary>Whether a secret holds a space, which a query string may write as '+'.</summary>
    private readonly bool _secretHasSpace;

    /// <param name="secrets">the values the host holds that must never appear (keys, passwords)</param>
    public LogRedactor(IEnumerable<string?> secrets)
    {
        _decodedSecrets = secrets
            .Where(s => s is { Length: >= MinSecretLength })
            .SelectMany(s => new[] { s!, s!.Trim() })
            .Where(s => s.Length >= MinSecretLength)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        _secrets = _decodedSecrets
            .Concat(_decodedSecrets.Select(Uri.EscapeDataString))
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(s => s.Length) // a secret that contains another is masked whole
            .ToArray();
        _secretHasSpace = _decodedSecrets.Any(s => s.Contains(' '));
    }

    /// <summary>The secrets of this app's settings, from the bound options: the internal API key, the storage
    /// connection string and its account key, the message-security private keys and passphrase, the back office password.</summary>
    public static LogRedactor FromSettings(InternalOptions @internal, SecurityOptions security, BackOfficeOptions backOffice, StorageConnectionOptions storage)
    {
        var secrets = new List<string?>
        {
            @internal.ApiKey,
            security.Pgp.Passphrase,
            security.Pgp.IntegratorPrivateKeys,
            security.Jwe.IntegratorPrivateKeys,
            backOffice.CrmCom.Password,
        };
        if (storage.ConnectionString is { } connection)
        {
            secrets.Add(connection);
            secrets.AddRange(ConnectionSecret().Matches(connection).Select(m => m.Groups["value"].Value));
        }
        return new LogRedactor(secrets);
    }

    /// <summary>The text made safe to log.</summary>
    public string Redact(string? text) => EscapeControlCharacters(MaskSecrets(text));

    /// <summary>The exception as logged: itself, or, when its text (message, inner exceptions, request
    /// lines Kestrel quotes) holds something to mask, a stand-in with that text masked. Its line breaks stay.</summary>
    public Exception RedactException(Exception exception)
    {
        var text = exception.ToString();
        var masked = MaskSecrets(text);
        return masked == text ? exception : new RedactedException(MaskSecrets(exception.Message), masked);
    }

    /// <summary>Secrets, key parameters and key headers masked; control characters left as they are.</summary>
    private string MaskSecrets(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        if (text.Contains('%') || _secretHasSpace && text.Contains('+')) text = MaskDecoded(text);
        foreach (var secret in _secrets)
            if (text.Contains(secret, StringComparison.Ordinal)) text = text.Replace(secret, Mask, StringComparison.Ordinal);
        if (text.Contains('=')) text = QueryKey().Replace(ConnectionSecret().Replace(text, m => m.Groups["name"].Value + "=" + Mask), m => m.Groups["name"].Value + Mask);
        if (text.Contains(':')) text = HeaderLine.Replace(text, m => m.Groups["name"].Value + ": " + Mask);
        return text;
    }

    /// <summary>
    /// Masks, in the text as written, what its percent-decodings reveal (a request line is logged as the
    /// client sent it, and the host decodes it): a secret encoded in any way (every byte or some, either
    /// hex case, encoded again, '+' for a space), and the value of a key parameter whose name is encoded
    /// (<c>?%63ode=</c>).
    /// </summary>
    private string MaskDecoded(string text)
    {
        var spans = new List<(int Start, int End)>();
        foreach (var units in PercentDecodedText.Rounds(text))
        {
            foreach (var secret in _decodedSecrets) FindAll(units, secret, spans);
            foreach (Match m in QueryKey().Matches(new string(units.Select(u => u.Char).ToArray())))
            {
                var name = m.Groups["name"];
                var start = units[name.Index + name.Length - 1].End;
                // The value ends where it ends in the decoded text or in the text as written, whichever is later.
                var end = m.Index + m.Length > name.Index + name.Length ? units[m.Index + m.Length - 1].End : start;
                while (end < text.Length && text[end] is not ('&' or '#') && !char.IsWhiteSpace(text[end])) end++;
                spans.Add((start, end));
            }
        }
        if (spans.Count == 0) return text;
        spans.Sort();
        var masked = new System.Text.StringBuilder(text.Length);
        var at = -1;
        foreach (var (start, end) in spans)
        {
            if (start <= at) { at = Math.Max(at, end); continue; }
            masked.Append(text, Math.Max(at, 0), start - Math.Max(at, 0)).Append(Mask);
            at = end;
        }
        return masked.Append(text, at, text.Length - at).ToString();
    }

    /// <summary>Each place the secret appears in the decoded text, as a span of the text as written.</summary>
    private static void FindAll(PercentDecodedText.Unit[] units, string secret, List<(int, int)> spans)
    {
        for (var i = 0; i + secret.Length <= units.Length; i++)
        {
            var j = 0;
            while (j < secret.Length && (units[i + j].Char == secret[j] || units[i + j].Char == '+' && secret[j] == ' ')) j++;
            if (j < secret.Length) continue;
            spans.Add((units[i].Start, units[i + j - 1].End));
            i += j - 1;
        }
    }

    /// <summary>A structured value made safe: text is redacted; numbers, booleans, times stay what they are.</summary>
    public object? RedactValue(string key, object? value)
    {
        if (SecretHeaders.Contains(key) || key.Equals("code", StringComparison.OrdinalIgnoreCase)) return Mask;
        return value switch
        {
            null => null,
            string s => Redact(s),
            bool or int or long or short or byte or uint or ulong or ushort or double or float or decimal
                or DateTime or DateTimeOffset or TimeSpan or Guid or Enum => value,
            _ => Redact(Convert.ToString(value, CultureInfo.InvariantCulture)),
        };
    }

    /// <summary>Control characters (C0, DEL, C1) and the Unicode line and paragraph separators as <c>\uXXXX</c>.</summary>
    public static string EscapeControlCharacters(string text) => Payments.Core.Protocol.LogText.Escape(text, int.MaxValue);

    /// <summary><c>?code=…</c>, <c>&amp;sig=…</c> and the like: the key parameters of a query string.</summary>
    [GeneratedRegex(@"(?<name>[?&;](?:code|sig|key|api[-_]?key|access[-_]?token|token|password|pwd|secret|client[-_]?secret)=)[^&#\s]*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex QueryKey();

    /// <summary><c>AccountKey=…</c> and the like inside a connection string.</summary>
    [GeneratedRegex(@"(?<name>\b(?:AccountKey|SharedAccessSignature|SharedAccessKey|Password|Pwd))=(?<value>[^;\s]*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ConnectionSecret();

}
