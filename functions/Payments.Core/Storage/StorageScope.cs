using Azure.Core;
using Azure.Core.Pipeline;

namespace Payments.Core.Storage;

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
