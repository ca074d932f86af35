using Payments.Core.Logging;

namespace Payments.LocalHost.Logging;

/// <summary>The one-line reason the host could not start, for the operator who set it up.</summary>
public static partial class StartupFailure
{
    public static string Describe(Exception e)
    {
        // The setting at fault is named by the innermost exception that says something of its own.
        while (e is AggregateException { InnerExceptions.Count: 1 } or System.Reflection.TargetInvocationException && e.InnerException is { } inner) e = inner;
        // The configuration binder quotes the malformed value: name the setting as operators write it, without it.
        var message = BinderFailure().Match(e.Message) is { Success: true } m
            ? $"{m.Groups["path"].Value.Replace(":", "__", StringComparison.Ordinal)} is not a valid {m.Groups["type"].Value}."
            : e.Message;
        return LogRedactor.EscapeControlCharacters(message.ReplaceLineEndings(" "));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^Failed to convert configuration value .* at '(?<path>[\w:]+)' to type '(?<type>[^']+)'\.$", System.Text.RegularExpressions.RegexOptions.Singleline)]
    private static partial System.Text.RegularExpressions.Regex BinderFailure();
}
