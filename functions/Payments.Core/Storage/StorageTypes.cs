using Azure.Storage.Queues;

namespace Payments.Core.Storage;

public sealed class StorageClientOptions
{
    /// <summary>As host.json <c>extensions.queues.messageEncoding</c> says.</summary>
    public QueueMessageEncoding MessageEncoding { get; set; } = QueueMessageEncoding.Base64;
    public int MaxRetries { get; set; } = 4;
    /// <summary>First back-off delay; doubles on each retry (with jitter), capped at <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Upper bound of one back-off delay.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>Connections the shared handler keeps per server (Table and Queue each have their own handler).</summary>
    public int MaxConnectionsPerServer { get; set; } = 256;
}

/// <summary>Counts storage round trips (every HTTP request the pipeline sends, retries included).</summary>
public static class StorageMetrics
{
    internal static long _table;
    internal static long _queue;
    public static long TableOperations => Interlocked.Read(ref _table);
    public static long QueueOperations => Interlocked.Read(ref _queue);
    /// <summary>Table plus queue requests.</summary>
    public static long TotalOperations => TableOperations + QueueOperations;

    private static readonly AsyncLocal<StorageScope?> _current = new();
    internal static StorageScope? Current => _current.Value;

    /// <summary>Counts the round trips made, and the time spent in them, by the code that runs in
    /// this async flow until the scope is disposed (one protocol call, for the benchmark).</summary>
    public static StorageScope BeginScope()
    {
        var scope = new StorageScope(_current.Value);
        _current.Value = scope;
        return scope;
    }

    internal static void EndScope(StorageScope scope) => _current.Value = scope.Outer;
}

public sealed class StorageScope : IDisposable
{
    private long _operations;
    private long _ticks;
    internal StorageScope(StorageScope? outer) => Outer = outer;
    internal StorageScope? Outer { get; }
    public long Operations => Interlocked.Read(ref _operations);
    /// <summary>Sum of the round trips' durations (send to response headers).</summary>
    public TimeSpan Elapsed => System.Diagnostics.Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks));

    internal void Add(long ticks)
    {
        Interlocked.Increment(ref _operations);
        Interlocked.Add(ref _ticks, ticks);
        Outer?.Add(ticks);
    }

    public void Dispose() => StorageMetrics.EndScope(this);
}

/// <summary>A storage call failed: carries the HTTP status and the storage error code.</summary>
/// <remarks>Client-side refusals (limits, batch rules) that never reach the service are
/// <see cref="ArgumentException"/>s, not this type.</remarks>
public sealed class StorageRequestFailedException(int status, string? errorCode, string message, int? failedOperationIndex = null)
    : Exception(message)
{
    public int Status { get; } = status;
    public string? ErrorCode { get; } = errorCode;
    /// <summary>For an entity group transaction: the index of the operation that failed.</summary>
    public int? FailedOperationIndex { get; } = failedOperationIndex;
}

/// <summary>An entity: keys, ETag, timestamp and typed properties (string, bool, int, long, double,
/// DateTimeOffset, Guid, byte[]). Int64/DateTime/Guid/Binary travel with their Edm annotation.</summary>
/// <remarks>On write a <see cref="DateTime"/> is accepted too (converted to UTC); null values are not sent.
/// On read, Edm.DateTime comes back as a UTC <see cref="DateTimeOffset"/>.</remarks>
public sealed class TableEntity
{
    public TableEntity(string partitionKey, string rowKey) { PartitionKey = partitionKey; RowKey = rowKey; }
    public string PartitionKey { get; }
    public string RowKey { get; }
    public string? ETag { get; set; }
    public DateTimeOffset? Timestamp { get; set; }
    public Dictionary<string, object?> Properties { get; } = new(StringComparer.Ordinal);
    public object? this[string name] { get => Properties.GetValueOrDefault(name); set => Properties[name] = value; }
    public string? GetString(string name) => Properties.GetValueOrDefault(name) as string;
    public long? GetInt64(string name) => Properties.GetValueOrDefault(name) switch { long l => l, int i => i, _ => null };
    public int? GetInt32(string name) => Properties.GetValueOrDefault(name) switch { int i => i, _ => null };
    public bool? GetBoolean(string name) => Properties.GetValueOrDefault(name) as bool?;
    public DateTimeOffset? GetDateTimeOffset(string name) => Properties.GetValueOrDefault(name) as DateTimeOffset?;
    public double? GetDouble(string name) => Properties.GetValueOrDefault(name) switch { double d => d, int i => i, _ => null };
    public Guid? GetGuid(string name) => Properties.GetValueOrDefault(name) as Guid?;
    public byte[]? GetBinary(string name) => Properties.GetValueOrDefault(name) as byte[];
}

public enum TableTransactionActionType { Insert, Replace, Merge, UpsertReplace, UpsertMerge, Delete }

/// <summary>One operation of an entity group transaction. ETag null on Replace/Merge/Delete means "*".</summary>
public sealed record TableTransactionAction(TableTransactionActionType Type, TableEntity Entity, string? ETag = null);

/// <summary>Where a table query left off (the service's continuation headers): pass it back to go on.</summary>
public sealed record TableContinuation(string? NextPartitionKey, string? NextRowKey);
