// PINNED API SURFACE: the storage helper replaces these stubs with the implementation
// (and may split this file). Signatures are what the rest of Core codes against.
using Azure.Core;
using Microsoft.Extensions.Configuration;

namespace Payments.Core.Storage;

/// <summary>Where the tables and queues are and how to authenticate (SharedKey or a TokenCredential).</summary>
public sealed partial class StorageConnection
{
    public required Uri TableEndpoint { get; init; }
    public required Uri QueueEndpoint { get; init; }
    public string? AccountName { get; init; }
    /// <summary>Base64 account key for SharedKey; null when a TokenCredential is used.</summary>
    internal string? AccountKey { get; init; }
    public TokenCredential? Credential { get; init; }

    /// <summary>Parses <c>UseDevelopmentStorage=true</c> or an explicit connection string.</summary>
    public static StorageConnection Parse(string connectionString) => throw new NotImplementedException();

    /// <summary>Reads the setting <paramref name="name"/> (a connection string) or the identity-based
    /// <c>{name}__tableServiceUri</c>/<c>__queueServiceUri</c>/<c>__credential</c>/<c>__clientId</c>.</summary>
    public static StorageConnection FromConfiguration(IConfiguration configuration, string name = "Storage") => throw new NotImplementedException();

    /// <summary>Never prints the key.</summary>
    public override string ToString() => $"tables={TableEndpoint} queues={QueueEndpoint}";
}

public enum QueueMessageEncoding { Base64, None }

public sealed class StorageClientOptions
{
    /// <summary>As host.json <c>extensions.queues.messageEncoding</c> says.</summary>
    public QueueMessageEncoding MessageEncoding { get; set; } = QueueMessageEncoding.Base64;
    public int MaxRetries { get; set; } = 4;
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Counts storage round trips (every HTTP request the pipeline sends, retries included).</summary>
public static class StorageMetrics
{
    public static long TableOperations => throw new NotImplementedException();
    public static long QueueOperations => throw new NotImplementedException();
}

/// <summary>A storage call failed: carries the HTTP status and the storage error code.</summary>
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
}

public enum TableTransactionActionType { Insert, Replace, Merge, UpsertReplace, UpsertMerge, Delete }

/// <summary>One operation of an entity group transaction. ETag null on Replace/Merge/Delete means "*".</summary>
public sealed record TableTransactionAction(TableTransactionActionType Type, TableEntity Entity, string? ETag = null);

public sealed class TableServiceClient
{
    public TableServiceClient(StorageConnection connection, StorageClientOptions? options = null) => throw new NotImplementedException();
    public TableClient GetTableClient(string tableName) => throw new NotImplementedException();
}

public sealed class TableClient
{
    public string Name => throw new NotImplementedException();
    public Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();
    /// <returns>the new ETag. 409 EntityAlreadyExists when the keys exist.</returns>
    public Task<string> InsertAsync(TableEntity entity, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    /// <returns>null when the entity does not exist.</returns>
    public Task<TableEntity?> GetAsync(string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    /// <summary>If-Match: etag ("*" for unconditional). 412 UpdateConditionNotSatisfied when stale.</summary>
    public Task<string> ReplaceAsync(TableEntity entity, string etag, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task<string> MergeAsync(TableEntity entity, string etag, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    /// <summary>Insert or replace.</summary>
    public Task<string> UpsertAsync(TableEntity entity, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task DeleteAsync(string partitionKey, string rowKey, string etag = "*", CancellationToken cancellationToken = default) => throw new NotImplementedException();
    /// <summary>Follows continuation tokens; <paramref name="pageSize"/> is $top per page.</summary>
    public IAsyncEnumerable<TableEntity> QueryAsync(string? filter = null, IEnumerable<string>? select = null, int? pageSize = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    /// <summary>Entity group transaction: ≤ 100 operations, one PartitionKey (checked before sending),
    /// all or nothing. On failure throws with <see cref="StorageRequestFailedException.FailedOperationIndex"/>.</summary>
    /// <returns>the new ETag of each operation (null for deletes).</returns>
    public Task<IReadOnlyList<string?>> SubmitTransactionAsync(IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken = default) => throw new NotImplementedException();
}

public sealed record SendReceipt(string MessageId, string PopReceipt, DateTimeOffset NextVisibleOn);
public sealed record QueueMessage(string MessageId, string PopReceipt, string Text, long DequeueCount, DateTimeOffset InsertedOn, DateTimeOffset ExpiresOn, DateTimeOffset NextVisibleOn);
public sealed record PeekedMessage(string MessageId, string Text, long DequeueCount, DateTimeOffset InsertedOn, DateTimeOffset ExpiresOn);

public sealed class QueueServiceClient
{
    public QueueServiceClient(StorageConnection connection, StorageClientOptions? options = null) => throw new NotImplementedException();
    public QueueClient GetQueueClient(string queueName) => throw new NotImplementedException();
}

public sealed class QueueClient
{
    public string Name => throw new NotImplementedException();
    public Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();
    /// <param name="text">message text before encoding (encoded per options, ≤ 64 KiB after encoding, checked before sending)</param>
    /// <param name="timeToLive">null = service default (7 days); <see cref="Timeout.InfiniteTimeSpan"/> = never expires (-1)</param>
    public Task<SendReceipt> SendAsync(string text, TimeSpan? visibilityDelay = null, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task<IReadOnlyList<QueueMessage>> ReceiveAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task DeleteAsync(string messageId, string popReceipt, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    /// <returns>the new pop receipt (the old one is dead).</returns>
    public Task<string> UpdateAsync(string messageId, string popReceipt, TimeSpan visibilityTimeout, string? text = null, CancellationToken cancellationToken = default) => throw new NotImplementedException();
    public Task<IReadOnlyList<PeekedMessage>> PeekAsync(int maxMessages = 1, CancellationToken cancellationToken = default) => throw new NotImplementedException();
}
