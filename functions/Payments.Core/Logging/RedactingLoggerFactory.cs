using Microsoft.Extensions.Logging;

namespace Payments.Core.Logging;

internal sealed class RedactingLoggerFactory(ILoggerFactory inner, LogRedactor redactor) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName), redactor);
    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);
    public void Dispose() => inner.Dispose();
}

internal sealed class RedactingLogger(ILogger inner, LogRedactor redactor) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);
    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!inner.IsEnabled(logLevel)) return;
        var message = formatter(state, exception);
        var values = new List<KeyValuePair<string, object?>>();
        if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            foreach (var (key, value) in pairs)
            {
                // A value logged under a key header's name is masked in the message as well.
                if (LogRedactor.SecretHeaders.Contains(key) && value?.ToString() is { Length: >= 4 } secret)
                    message = message.Replace(secret, LogRedactor.Mask, StringComparison.Ordinal);
                values.Add(new(key, key == "{OriginalFormat}" ? value : redactor.RedactValue(key, value)));
            }
        }
        message = redactor.Redact(message);
        inner.Log(logLevel, eventId, new RedactedState(message, values), exception is null ? null : redactor.RedactException(exception), static (s, _) => s.Message);
    }
}

/// <summary>The redacted message and structured values, in the shape structured providers enumerate.</summary>
internal sealed class RedactedState(string message, IReadOnlyList<KeyValuePair<string, object?>> values) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public string Message { get; } = message;
    public KeyValuePair<string, object?> this[int index] => values[index];
    public int Count => values.Count;
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => values.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    public override string ToString() => Message;
}

/// <summary>An exception whose text held a secret, as it is logged: its type's name and its text, masked.</summary>
internal sealed class RedactedException(string message, string text) : Exception(message)
{
    public override string ToString() => text;
}
