using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Payments.Tests.TestSupport;

/// <summary>What the tests read from a <see cref="FakeLogCollector"/>: lines to search, values to compare.</summary>
public static class LogRecords
{
    /// <summary>A factory that writes every level to a new collector.</summary>
    public static ILoggerFactory Factory(out FakeLogCollector collector)
    {
        var provider = new FakeLoggerProvider();
        collector = provider.Collector;
        return LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(provider));
    }

    /// <summary>One line per record (level, category, message, exception): what a secret must never appear in.</summary>
    public static IReadOnlyList<string> Lines(this FakeLogCollector logs) =>
        [.. logs.GetSnapshot().Select(r => $"{r.Level} {r.Category}: {r.Message}{(r.Exception is null ? "" : " | " + r.Exception)}")];

    /// <summary>Everything a record carries (message, values, scopes, exception) as one text.</summary>
    public static string FullText(this FakeLogRecord record)
    {
        var parts = new List<string> { record.Message };
        parts.AddRange(record.Values().Select(kv => $"{kv.Key}={kv.Value}"));
        parts.AddRange(record.Scopes.Where(s => Pairs(s) is null).Select(s => s?.ToString() ?? ""));
        if (record.Exception is not null) parts.Add(record.Exception.ToString());
        return string.Join(" | ", parts);
    }

    /// <summary>The structured values (FakeLogger keeps them as text), with those of the enclosing scopes.</summary>
    public static Dictionary<string, object?> Values(this FakeLogRecord record)
    {
        var values = new Dictionary<string, object?>();
        foreach (var state in record.Scopes.Append(record.State))
            foreach (var (key, value) in Pairs(state) ?? []) values[key] = value;
        return values;
    }

    private static IEnumerable<KeyValuePair<string, object?>>? Pairs(object? state) => state switch
    {
        IEnumerable<KeyValuePair<string, object?>> pairs => pairs,
        IEnumerable<KeyValuePair<string, string?>> texts => texts.Select(kv => new KeyValuePair<string, object?>(kv.Key, kv.Value)),
        _ => null,
    };
}
