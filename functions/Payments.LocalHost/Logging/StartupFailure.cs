using Payments.Core.Logging;

namespace Payments.LocalHost.Logging;

/// <summary>The one-line reason the host could not start, for the operator who set it up.</summary>
public static class StartupFailure
{
    public static string Describe(Exception e)
    {
        // The setting at fault is named by the innermost exception that says something of its own.
        while (e is AggregateException { InnerExceptions.Count: 1 } or System.Reflection.TargetInvocationException && e.InnerException is { } inner) e = inner;
        return LogRedactor.EscapeControlCharacters(e.Message.ReplaceLineEndings(" "));
    }
}
