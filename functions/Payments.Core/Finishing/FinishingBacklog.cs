using Microsoft.Extensions.Logging;
using Payments.Core.Idempotency;

namespace Payments.Core.Finishing;

/// <summary>
/// Load shedding for asynchronous work: with <see cref="FinishingOptions.MaxBacklog"/> set, a call that
/// would queue more work (a refund, a reservation cancellation) while the work queues already hold
/// that many messages is answered 503 before anything is written, and Google retries it later
/// (docs/protocol.md §4). What is already acknowledged is finished first instead of being buried ever deeper.
/// </summary>
/// <remarks>The depth is the sum of the work queues' approximate counts (delayed retries included),
/// sampled at most once per <see cref="SampleInterval"/> by the call that finds the sample stale
/// (the others use the sample at hand): three metadata reads a second, not three per call.
/// A failed sample keeps the last depth: a queue service too slow to answer within the timeout is
/// most likely one whose queues are deep (Azurite's scans every message to count them), and counting
/// that as empty would turn shedding off exactly when it is needed (docs/operations.md, "Why it is
/// built this way"). Before the first successful sample the depth is 0.</remarks>
public sealed partial class FinishingBacklog(TransactionStore store, FinishingOptions options, TimeProvider time, ILogger<FinishingBacklog> logger) : IWorkBacklog
{
    public static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(1);
    /// <summary>A sample is taken inside a call: with the queue service slow or down it is given up
    /// after this long (the last depth stands) rather than holding the call through the retries.</summary>
    public static readonly TimeSpan SampleTimeout = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _sampling = new(1, 1);
    private long _sampledAt = long.MinValue;
    private long _depth;
    private bool _wasFull;

    /// <summary>The last sampled depth (0 before the first successful sample).</summary>
    public long Depth => Interlocked.Read(ref _depth);

    /// <summary>Throws <see cref="FinishingBacklogFullException"/> when new asynchronous work must be refused now.</summary>
    public async ValueTask EnsureRoomAsync(CancellationToken cancellationToken)
    {
        if (await IsFullAsync(cancellationToken)) throw new FinishingBacklogFullException(Depth, options.MaxBacklog);
    }

    /// <summary>True when new asynchronous work must be refused now.</summary>
    public async ValueTask<bool> IsFullAsync(CancellationToken cancellationToken)
    {
        if (options.MaxBacklog <= 0) return false;
        if (IsStale())
        {
            // One caller samples; a caller that finds the sampler busy uses the sample at hand.
            if (await _sampling.WaitAsync(Volatile.Read(ref _sampledAt) == long.MinValue ? Timeout.Infinite : 0, cancellationToken))
            {
                try
                {
                    if (IsStale()) await SampleAsync(cancellationToken);
                }
                finally
                {
                    _sampling.Release();
                }
            }
        }
        return Depth >= options.MaxBacklog;
    }

    private bool IsStale()
    {
        var at = Volatile.Read(ref _sampledAt);
        return at == long.MinValue || time.GetElapsedTime(at) >= SampleInterval;
    }

    private async Task SampleAsync(CancellationToken cancellationToken)
    {
        long depth;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(SampleTimeout);
            depth = (await store.WorkQueueDepthsAsync(timeout.Token)).Values.Sum();
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            depth = Depth;
            LogSampleFailed(logger, e.GetType().Name, depth);
        }
        Interlocked.Exchange(ref _depth, depth);
        Volatile.Write(ref _sampledAt, time.GetTimestamp());

        var full = depth >= options.MaxBacklog;
        if (full != _wasFull)
        {
            _wasFull = full;
            if (full) LogShedding(logger, depth, options.MaxBacklog);
            else LogAccepting(logger, depth, options.MaxBacklog);
        }
    }

    [LoggerMessage(66, LogLevel.Warning, "finishing backlog {Depth} ≥ {MaxBacklog} (Finishing__MaxBacklog): new refunds and reservation cancellations are answered 503 until it drains")]
    private static partial void LogShedding(ILogger logger, long depth, int maxBacklog);

    [LoggerMessage(67, LogLevel.Warning, "finishing backlog {Depth} < {MaxBacklog}: new asynchronous work is accepted again")]
    private static partial void LogAccepting(ILogger logger, long depth, int maxBacklog);

    [LoggerMessage(68, LogLevel.Debug, "finishing backlog: sampling the queue depth failed ({Error}); the last depth {Depth} stands")]
    private static partial void LogSampleFailed(ILogger logger, string error, long depth);
}
