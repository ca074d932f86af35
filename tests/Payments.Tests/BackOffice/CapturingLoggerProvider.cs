using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Payments.Tests.BackOffice;

/// <summary>Records every log entry (formatted message, structured values, scopes, exception) of every category.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();
    public ConcurrentQueue<CapturedLog> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;
    public void Dispose() { }

    /// <summary>Everything recorded, as one text per entry (message, values, scopes, exception.ToString()).</summary>
    public IEnumerable<string> AllText() => Entries.Select(e => e.FullText);

    public static ILoggerFactory CreateFactory(out CapturingLoggerProvider provider)
    {
        var p = new CapturingLoggerProvider();
        provider = p;
        return LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(p));
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var parts = new List<string> { formatter(state, exception) };
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
                parts.AddRange(values.Select(kv => $"{kv.Key}={kv.Value}"));
            owner._scopes.ForEachScope((scope, list) =>
            {
                if (scope is IEnumerable<KeyValuePair<string, object>> kvs) list.AddRange(kvs.Select(kv => $"{kv.Key}={kv.Value}"));
                else list.Add(scope?.ToString() ?? "");
            }, parts);
            if (exception is not null) parts.Add(exception.ToString());
            owner.Entries.Enqueue(new CapturedLog(category, logLevel, eventId, formatter(state, exception), exception, string.Join(" | ", parts)));
        }
    }
}

public sealed record CapturedLog(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception, string FullText);
