using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Queues;

namespace Payments.Core.Storage;

/// <summary>Timeouts and retries of every storage call (<c>Storage:*</c>).</summary>
public sealed class StorageClientOptions
{
    public const string Section = "Storage";

    /// <summary>As host.json <c>extensions.queues.messageEncoding</c> says (the local host copies it from there).</summary>
    public QueueMessageEncoding MessageEncoding { get; set; } = QueueMessageEncoding.Base64;
    [System.ComponentModel.DataAnnotations.Range(0, 20)]
    public int MaxRetries { get; set; } = 4;
    /// <summary>First back-off delay; doubles on each retry (with jitter), capped at <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Upper bound of one back-off delay.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>Connections the shared handler keeps per server (Table and Queue each have their own handler).</summary>
    public int MaxConnectionsPerServer { get; set; } = 256;
}

/// <summary>Counts storage round trips (every HTTP request a client's pipeline sends, retries
/// included), per service and per async flow (<see cref="BeginScope"/>): what the benchmarks report as
/// round trips per call. One instance per app (a singleton), given to the clients it counts.</summary>
public sealed class StorageRoundTrips
{
    private long _table;
    private long _queue;
    private readonly AsyncLocal<StorageScope?> _current = new();

    public long Table => Interlocked.Read(ref _table);
    public long Queue => Interlocked.Read(ref _queue);
    public long Total => Table + Queue;

    /// <summary>Counts the round trips made, and the time spent in them, by the code that runs in
    /// this async flow until the scope is disposed (one protocol call, for the benchmark).</summary>
    public StorageScope BeginScope()
    {
        var scope = new StorageScope(this, _current.Value);
        _current.Value = scope;
        return scope;
    }

    internal void EndScope(StorageScope scope) => _current.Value = scope.Outer;

    /// <summary>The per-try pipeline policy for one service's client.</summary>
    internal HttpPipelinePolicy PolicyFor(StorageService service) => new Policy(this, service);

    private sealed class Policy(StorageRoundTrips counts, StorageService service) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message)
        {
            Interlocked.Increment(ref service == StorageService.Table ? ref counts._table : ref counts._queue);
            if (counts._current.Value is not null) message.SetProperty(typeof(Policy), System.Diagnostics.Stopwatch.GetTimestamp());
        }

        public override void OnReceivedResponse(HttpMessage message)
        {
            if (counts._current.Value is { } scope && message.TryGetProperty(typeof(Policy), out var started) && started is long start)
                scope.Add(System.Diagnostics.Stopwatch.GetTimestamp() - start);
        }
    }
}

public sealed class StorageScope : IDisposable
{
    private readonly StorageRoundTrips _owner;
    private long _operations;
    private long _ticks;
    internal StorageScope(StorageRoundTrips owner, StorageScope? outer) { _owner = owner; Outer = outer; }
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

    public void Dispose() => _owner.EndScope(this);
}

internal enum StorageService { Table, Queue }
