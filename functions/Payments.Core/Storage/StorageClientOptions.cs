using Azure.Core;
using Azure.Core.Pipeline;
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
