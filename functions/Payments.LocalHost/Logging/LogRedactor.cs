using System.Globalization;
using System.Text.RegularExpressions;
using Payments.Core.Hosting;

namespace Payments.LocalHost.Logging;

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

    /// <param name="secrets">the values the host holds that must never appear (keys, passwords)</param>
    public LogRedactor(IEnumerable<string?> secrets)
    {
        _secrets = secrets
            .Where(s => s is { Length: >= MinSecretLength })
            .SelectMany(s => new[] { s!, Uri.EscapeDataString(s!), s!.Trim() })
            .Where(s => s.Length >= MinSecretLength)
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(s => s.Length) // a secret that contains another is masked whole
            .ToArray();
    }

    /// <summary>The secrets of this app's settings: the internal API key, the storage account key, the
    /// message-security private keys and passphrase, the back office password.</summary>
    public static LogRedactor FromConfiguration(IConfiguration configuration)
    {
        var secrets = new List<string?>
        {
            configuration[SettingNames.InternalApiKey],
            configuration[SettingNames.PgpPassphrase],
            configuration[SettingNames.PgpIntegratorPrivateKeys],
            configuration[SettingNames.JweIntegratorPrivateKeys],
            configuration[SettingNames.CrmComPassword],
        };
        // The account key inside the storage connection string (and the whole string).
        if (configuration[SettingNames.Storage] is { } connection)
        {
            secrets.Add(connection);
            secrets.AddRange(ConnectionSecret().Matches(connection).Select(m => m.Groups["value"].Value));
        }
        return new LogRedactor(secrets);
    }

    /// <summary>The text made safe to log.</summary>
    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        foreach (var secret in _secrets)
            if (text.Contains(secret, StringComparison.Ordinal)) text = text.Replace(secret, Mask, StringComparison.Ordinal);
        if (text.Contains('=')) text = QueryKey().Replace(ConnectionSecret().Replace(text, m => m.Groups["name"].Value + "=" + Mask), m => m.Groups["name"].Value + Mask);
        if (text.Contains(':')) text = HeaderLine.Replace(text, m => m.Groups["name"].Value + ": " + Mask);
        return EscapeControlCharacters(text);
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
