using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Queues;

namespace Payments.Core.Storage;

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
