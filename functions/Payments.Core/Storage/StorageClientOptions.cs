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
