using Payments.Core.Idempotency;
using System.Diagnostics;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Payments.LocalHost.Queues;

/// <summary>
/// The local stand-in for the Azure Functions queue trigger (docs/functions-host.md): takes up to <c>batchSize</c>
/// messages with a visibility lease, fetches more when the messages in flight drop to <c>newBatchThreshold</c>,
/// renews each lease while its handler runs, deletes on success, makes a failed message visible again after
/// <c>visibilityTimeout</c>, and once a failed message's dequeue count has reached <c>maxDequeueCount</c> copies its
/// text to <c>{queue}-poison</c> and deletes it (a message received with a dequeue count already above the maximum,
/// e.g. after crashes, goes to poison without running). Polls again at once after a full batch, otherwise backs off
/// (randomised exponential) up to <c>maxPollingInterval</c>; <see cref="Wake"/> cuts a back-off short (the Functions
/// host does the same for messages it enqueued itself). The handler gets the message text (already decoded by the
/// queue client per host.json messageEncoding) and the stopping token.
/// </summary>
public sealed partial class QueuePump : BackgroundService
{
    private readonly QueueClient _queue;
    private readonly QueueClient _poison;
    private readonly Func<string, CancellationToken, Task> _handler;
    private readonly HostJsonQueueOptions _options;
    private readonly QueuePumpOptions _pumpOptions;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly object _lock = new();
    private readonly HashSet<Task> _inFlight = [];
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _slotFreed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _poisonCreated;
    private long _processed;
    private long _failed;
    private long _poisoned;

    /// <param name="queue">the queue to pump</param>
    /// <param name="poisonQueue">its <c>-poison</c> twin (created on first use)</param>
    public QueuePump(QueueClient queue, QueueClient poisonQueue, Func<string, CancellationToken, Task> handler,
        HostJsonQueueOptions options, ILogger<QueuePump> logger, QueuePumpOptions? pumpOptions = null, TimeProvider? time = null)
    {
        _queue = queue ?? throw new ArgumentNullException(nameof(queue));
        _poison = poisonQueue ?? throw new ArgumentNullException(nameof(poisonQueue));
        _handler = handler ?? throw new ArgumentNullException(nameof(handler));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _pumpOptions = pumpOptions ?? new QueuePumpOptions();
        if (_pumpOptions.LeaseDuration < TimeSpan.FromSeconds(1)) throw new ArgumentOutOfRangeException(nameof(pumpOptions), "LeaseDuration must be at least 1 s.");
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Creates a pump for <paramref name="queueName"/> and its <c>-poison</c> twin on <paramref name="service"/>.</summary>
    public static QueuePump Create(QueueServiceClient service, string queueName, Func<string, CancellationToken, Task> handler,
        HostJsonQueueOptions options, ILoggerFactory loggerFactory, QueuePumpOptions? pumpOptions = null, TimeProvider? time = null)
        => new(service.GetQueueClient(queueName), service.GetQueueClient(Core.Idempotency.QueueNames.Poison(queueName)), handler, options,
            loggerFactory.CreateLogger<QueuePump>(), pumpOptions, time);

    public string QueueName => _queue.Name;
    public long ProcessedCount => Interlocked.Read(ref _processed);
    public long FailedCount => Interlocked.Read(ref _failed);
    public long PoisonedCount => Interlocked.Read(ref _poisoned);

    /// <summary>Polls now instead of finishing the current back-off (call after putting a message on this queue).</summary>
    public void Wake()
    {
        TaskCompletionSource wake;
        lock (_lock)
        {
            wake = _wake;
            _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        wake.TrySetResult();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(_logger, QueueName, _options.BatchSize, _options.NewBatchThreshold, _options.MaxDequeueCount, _options.VisibilityTimeout, _options.MaxPollingInterval);
        var delay = _pumpOptions.MinPollingInterval;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // Fetch a new batch only when the messages in flight have dropped to newBatchThreshold.
                Task slotFreed;
                int room;
                lock (_lock)
                {
                    slotFreed = _slotFreed.Task;
                    room = _inFlight.Count <= _options.NewBatchThreshold ? Math.Min(_options.BatchSize, _options.MaxConcurrency - _inFlight.Count) : 0;
                }
                if (room <= 0)
                {
                    await slotFreed.WaitAsync(stoppingToken).ConfigureAwait(false);
                    continue;
                }

                Task wake;
                lock (_lock) wake = _wake.Task;
                QueueMessage[] messages;
                try
                {
                    messages = (await _queue.ReceiveMessagesAsync(room, _pumpOptions.LeaseDuration, stoppingToken).ConfigureAwait(false)).Value;
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    LogPollFailed(_logger, QueueName, ex);
                    messages = [];
                }

                foreach (var message in messages) Start(message, stoppingToken);

                if (messages.Length >= room && messages.Length > 0)
                {
                    delay = _pumpOptions.MinPollingInterval;
                    continue; // a full batch: poll again at once
                }
                delay = messages.Length > 0 ? _pumpOptions.MinPollingInterval : NextDelay(delay);
                await Task.WhenAny(wake, Task.Delay(messages.Length > 0 ? _pumpOptions.MinPollingInterval : delay, _time, stoppingToken)).ConfigureAwait(false);
                if (wake.IsCompleted) delay = _pumpOptions.MinPollingInterval;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            Task[] remaining;
            lock (_lock) remaining = _inFlight.ToArray();
            await Task.WhenAll(remaining).ConfigureAwait(false);
            LogStopped(_logger, QueueName, ProcessedCount, FailedCount, PoisonedCount);
        }
    }

    private TimeSpan NextDelay(TimeSpan current)
    {
        // Randomised exponential back-off, as the Functions host polls an empty queue.
        var doubled = current.TotalMilliseconds * (1.6 + Random.Shared.NextDouble() * 0.8);
        return TimeSpan.FromMilliseconds(Math.Min(Math.Max(doubled, _pumpOptions.MinPollingInterval.TotalMilliseconds), _options.MaxPollingInterval.TotalMilliseconds));
    }

    private void Start(QueueMessage message, CancellationToken stoppingToken)
    {
        var task = Task.Run(() => ProcessAsync(message, stoppingToken), CancellationToken.None);
        lock (_lock) _inFlight.Add(task);
        _ = task.ContinueWith(t =>
        {
            TaskCompletionSource freed;
            lock (_lock)
            {
                _inFlight.Remove(t);
                freed = _slotFreed;
                _slotFreed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            freed.TrySetResult();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>One message, start to end; never throws.</summary>
    private async Task ProcessAsync(QueueMessage message, CancellationToken stoppingToken)
    {
        using var scope = _logger.BeginScope(new Dictionary<string, object> { ["QueueName"] = QueueName, ["MessageId"] = message.MessageId });
        var lease = new Lease(message.PopReceipt);
        try
        {
            if (message.DequeueCount > _options.MaxDequeueCount)
            {
                // Delivered more often than allowed without a recorded failure (e.g. the process died each time).
                await MoveToPoisonAsync(message, lease, stoppingToken).ConfigureAwait(false);
                return;
            }

            using var renewal = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var renewing = RenewLeaseAsync(message, lease, renewal.Token);
            Exception? failure = null;
            var started = Stopwatch.GetTimestamp();
            try
            {
                await _handler(message.MessageText, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                failure = ex;
            }
            finally
            {
                await renewal.CancelAsync().ConfigureAwait(false);
                await renewing.ConfigureAwait(false);
            }
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

            if (lease.Lost)
            {
                // Another consumer may hold it now: leave it alone.
                LogLeaseLostAfterRun(_logger, QueueName, message.MessageId, failure is null);
                return;
            }
            if (failure is null)
            {
                Interlocked.Increment(ref _processed);
                LogSucceeded(_logger, QueueName, message.MessageId, message.DequeueCount, elapsed);
                await DeleteAsync(message, lease, CancellationToken.None).ConfigureAwait(false);
                return;
            }
            if (failure is OperationCanceledException && stoppingToken.IsCancellationRequested)
            {
                // Shutting down: not a failure of the message; make it visible again at once.
                LogCancelled(_logger, QueueName, message.MessageId);
                await ReleaseAsync(message, lease, TimeSpan.Zero).ConfigureAwait(false);
                return;
            }

            Interlocked.Increment(ref _failed);
            LogFailed(_logger, QueueName, message.MessageId, message.DequeueCount, _options.MaxDequeueCount, elapsed, failure);
            if (message.DequeueCount >= _options.MaxDequeueCount)
                await MoveToPoisonAsync(message, lease, CancellationToken.None).ConfigureAwait(false);
            else
                await ReleaseAsync(message, lease, _options.VisibilityTimeout).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Storage failed while finishing: the lease runs out and the message comes back (at least once).
            LogFinishFailed(_logger, QueueName, message.MessageId, ex);
        }
    }

    private sealed class Lease(string popReceipt)
    {
        public volatile string PopReceipt = popReceipt;
        public volatile bool Lost;
    }

    private async Task RenewLeaseAsync(QueueMessage message, Lease lease, CancellationToken cancellationToken)
    {
        var every = _pumpOptions.LeaseDuration / 3;
        try
        {
            while (true)
            {
                await Task.Delay(every, _time, cancellationToken).ConfigureAwait(false);
                try
                {
                    // Not cancelled midway: a renewal the service applied but whose answer we dropped would leave a stale pop receipt.
                    lease.PopReceipt = (await _queue.UpdateMessageAsync(message.MessageId, lease.PopReceipt, visibilityTimeout: _pumpOptions.LeaseDuration, cancellationToken: CancellationToken.None).ConfigureAwait(false)).Value.PopReceipt;
                    LogRenewed(_logger, QueueName, message.MessageId);
                }
                catch (RequestFailedException ex) when (ex.Status is 404 or 400)
                {
                    lease.Lost = true;
                    LogLeaseLost(_logger, QueueName, message.MessageId, ex.Status, ex.ErrorCode);
                    return;
                }
                catch (Exception ex)
                {
                    LogRenewFailed(_logger, QueueName, message.MessageId, ex); // try again at the next tick
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task DeleteAsync(QueueMessage message, Lease lease, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.DeleteMessageAsync(message.MessageId, lease.PopReceipt, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 400)
        {
            LogLeaseLost(_logger, QueueName, message.MessageId, ex.Status, ex.ErrorCode);
        }
    }

    private async Task ReleaseAsync(QueueMessage message, Lease lease, TimeSpan visibleAfter)
    {
        try
        {
            lease.PopReceipt = (await _queue.UpdateMessageAsync(message.MessageId, lease.PopReceipt, visibilityTimeout: visibleAfter, cancellationToken: CancellationToken.None).ConfigureAwait(false)).Value.PopReceipt;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 400)
        {
            LogLeaseLost(_logger, QueueName, message.MessageId, ex.Status, ex.ErrorCode);
        }
    }

    private async Task MoveToPoisonAsync(QueueMessage message, Lease lease, CancellationToken cancellationToken)
    {
        if (!Volatile.Read(ref _poisonCreated))
        {
            await _poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _poisonCreated, true);
        }
        await _poison.SendMessageAsync(message.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _poisoned);
        LogPoisoned(_logger, QueueName, message.MessageId, message.DequeueCount, _poison.Name);
        await DeleteAsync(message, lease, CancellationToken.None).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 4300, Level = LogLevel.Information, Message = "Queue pump {QueueName} started (batchSize {BatchSize}, newBatchThreshold {NewBatchThreshold}, maxDequeueCount {MaxDequeueCount}, visibilityTimeout {VisibilityTimeout}, maxPollingInterval {MaxPollingInterval})")]
    private static partial void LogStarted(ILogger logger, string queueName, int batchSize, int newBatchThreshold, int maxDequeueCount, TimeSpan visibilityTimeout, TimeSpan maxPollingInterval);

    [LoggerMessage(EventId = 4301, Level = LogLevel.Information, Message = "Queue pump {QueueName} stopped ({Processed} processed, {Failed} failed, {Poisoned} poisoned)")]
    private static partial void LogStopped(ILogger logger, string queueName, long processed, long failed, long poisoned);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Warning, Message = "Queue pump {QueueName}: polling failed")]
    private static partial void LogPollFailed(ILogger logger, string queueName, Exception exception);

    [LoggerMessage(EventId = 4303, Level = LogLevel.Debug, Message = "Queue {QueueName} message {MessageId} processed (dequeue count {DequeueCount}, {ElapsedMs} ms)")]
    private static partial void LogSucceeded(ILogger logger, string queueName, string messageId, long dequeueCount, double elapsedMs);

    [LoggerMessage(EventId = 4304, Level = LogLevel.Warning, Message = "Queue {QueueName} message {MessageId} failed (dequeue count {DequeueCount} of {MaxDequeueCount}, {ElapsedMs} ms)")]
    private static partial void LogFailed(ILogger logger, string queueName, string messageId, long dequeueCount, int maxDequeueCount, double elapsedMs, Exception exception);

    [LoggerMessage(EventId = 4305, Level = LogLevel.Error, Message = "Queue {QueueName} message {MessageId} moved to {PoisonQueue} after {DequeueCount} deliveries")]
    private static partial void LogPoisoned(ILogger logger, string queueName, string messageId, long dequeueCount, string poisonQueue);

    [LoggerMessage(EventId = 4306, Level = LogLevel.Debug, Message = "Queue {QueueName} message {MessageId}: lease renewed")]
    private static partial void LogRenewed(ILogger logger, string queueName, string messageId);

    [LoggerMessage(EventId = 4307, Level = LogLevel.Warning, Message = "Queue {QueueName} message {MessageId}: lease lost (HTTP {Status} {ErrorCode})")]
    private static partial void LogLeaseLost(ILogger logger, string queueName, string messageId, int status, string? errorCode);

    [LoggerMessage(EventId = 4308, Level = LogLevel.Warning, Message = "Queue {QueueName} message {MessageId}: lease renewal failed, retrying")]
    private static partial void LogRenewFailed(ILogger logger, string queueName, string messageId, Exception exception);

    [LoggerMessage(EventId = 4309, Level = LogLevel.Warning, Message = "Queue {QueueName} message {MessageId}: the lease was lost while the handler ran (succeeded: {Succeeded}); leaving the message to its new holder")]
    private static partial void LogLeaseLostAfterRun(ILogger logger, string queueName, string messageId, bool succeeded);

    [LoggerMessage(EventId = 4310, Level = LogLevel.Information, Message = "Queue {QueueName} message {MessageId}: cancelled by shutdown, visible again")]
    private static partial void LogCancelled(ILogger logger, string queueName, string messageId);

    [LoggerMessage(EventId = 4311, Level = LogLevel.Error, Message = "Queue {QueueName} message {MessageId}: finishing failed; it will be delivered again when its lease ends")]
    private static partial void LogFinishFailed(ILogger logger, string queueName, string messageId, Exception exception);
}
