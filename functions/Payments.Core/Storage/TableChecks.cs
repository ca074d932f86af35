using Azure.Data.Tables;

namespace Payments.Core.Storage;

/// <summary>The checks the table service (or Azurite) does not make reliably, or the SDK does not make
/// at all, done before anything is sent: Azurite answers a key holding <c>/ \ # ?</c> with 400 on insert
/// and 500 on a read, accepts a batch spanning two partitions that Azure refuses, and does not count
/// properties. All throw <see cref="ArgumentException"/>: a refusal here is a bug of ours, never an answer.</summary>
public static class TableChecks
{
    public const int MaxProperties = 252;
    public const int MaxStringChars = 32 * 1024;
    public const int MaxBinaryBytes = 64 * 1024;
    public const int MaxEntityBytes = 1024 * 1024;
    public const int MaxKeyChars = 1024;
    public const int MaxPropertyNameChars = 255;
    public const int MaxBatchOperations = 100;
    public const int MaxBatchBytes = 4 * 1024 * 1024;

    /// <summary>Refuses a key the service refuses or that cannot travel in a URL.</summary>
    public static string Key(string? key, string which = "key")
    {
        if (key is null) throw new ArgumentNullException(which);
        if (key.Length > MaxKeyChars) throw new ArgumentException($"{which} is longer than {MaxKeyChars} characters.", which);
        foreach (var c in key)
        {
            if (c is '/' or '\\' or '#' or '?' || char.IsControl(c))
                throw new ArgumentException($"{which} contains a character the table service does not allow in keys ('/', '\\', '#', '?' or a control character): encode it first.", which);
        }
        return key;
    }

    /// <summary>Keys, property count, value sizes and the entity size by the service's rule.</summary>
    /// <returns>the entity's size by that rule (keys only for a typed row: its mapping declares a fixed, small set)</returns>
    public static long Entity(ITableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        Key(entity.PartitionKey, nameof(entity.PartitionKey));
        Key(entity.RowKey, nameof(entity.RowKey));
        if (entity is not TableEntity bag) return 4 + 2L * (entity.PartitionKey.Length + entity.RowKey.Length);
        // Entity size per the service's formula: 4 + 2·len(keys) + Σ (8 + 2·len(name) + size of value).
        long size = 4 + 2L * (entity.PartitionKey.Length + entity.RowKey.Length);
        var count = 0;
        foreach (var (name, value) in bag)
        {
            if (value is null || name is "PartitionKey" or "RowKey" or "Timestamp" or "odata.etag") continue;
            count++;
            if (name.Length > MaxPropertyNameChars)
                throw new ArgumentException($"Property name '{name}' is longer than {MaxPropertyNameChars} characters.", nameof(entity));
            long valueSize = value switch
            {
                string s when s.Length > MaxStringChars => throw new ArgumentException($"Property '{name}': a string value may hold at most {MaxStringChars} characters (64 KiB); it has {s.Length}.", nameof(entity)),
                string s => 4 + 2L * s.Length,
                byte[] b when b.Length > MaxBinaryBytes => throw new ArgumentException($"Property '{name}': a binary value may hold at most {MaxBinaryBytes} bytes; it has {b.Length}.", nameof(entity)),
                byte[] b => 4 + b.Length,
                bool => 1,
                int => 4,
                long or double or DateTimeOffset or DateTime => 8,
                Guid => 16,
                _ => throw new ArgumentException($"Property '{name}': type {value.GetType().Name} is not supported.", nameof(entity)),
            };
            size += 8 + 2L * name.Length + valueSize;
        }
        if (count > MaxProperties)
            throw new ArgumentException($"An entity may have at most {MaxProperties} own properties; this one has {count}.", nameof(entity));
        if (size > MaxEntityBytes)
            throw new ArgumentException($"The entity is {size} bytes by the service's size rule; the limit is {MaxEntityBytes} (1 MiB).", nameof(entity));
        return size;
    }

    /// <summary>An entity group transaction: 1..100 operations, one PartitionKey, each entity once.</summary>
    public static void Batch(IReadOnlyList<TableTransactionAction> actions)
    {
        ArgumentNullException.ThrowIfNull(actions);
        if (actions.Count == 0) throw new ArgumentException("An entity group transaction needs at least one operation.", nameof(actions));
        if (actions.Count > MaxBatchOperations)
            throw new ArgumentException($"An entity group transaction holds at most {MaxBatchOperations} operations; this one has {actions.Count}.", nameof(actions));
        var partitionKey = actions[0].Entity.PartitionKey;
        var rowKeys = new HashSet<string>(StringComparer.Ordinal);
        long bytes = 0;
        for (var i = 0; i < actions.Count; i++)
        {
            var entity = actions[i].Entity;
            if (!string.Equals(entity.PartitionKey, partitionKey, StringComparison.Ordinal))
                throw new ArgumentException($"All operations of an entity group transaction must share one PartitionKey; operation {i} has another one.", nameof(actions));
            if (!rowKeys.Add(entity.RowKey))
                throw new ArgumentException($"Operation {i} touches an entity (RowKey) that an earlier operation of the transaction already touches.", nameof(actions));
            // The SDK sends no If-Match for a default ETag, which turns a conditional merge into an upsert.
            if (actions[i].ActionType is TableTransactionActionType.UpdateMerge or TableTransactionActionType.UpdateReplace or TableTransactionActionType.Delete
                && actions[i].ETag == default)
                throw new ArgumentException($"Operation {i} ({actions[i].ActionType}) needs an ETag (ETag.All for unconditional).", nameof(actions));
            if (actions[i].ActionType == TableTransactionActionType.Delete)
            {
                Key(entity.PartitionKey, nameof(entity.PartitionKey));
                Key(entity.RowKey, nameof(entity.RowKey));
            }
            else bytes += Entity(entity);
        }
        if (bytes > MaxBatchBytes)
            throw new ArgumentException($"The entity group transaction holds about {bytes} bytes of entities; the limit is {MaxBatchBytes} (4 MiB).", nameof(actions));
    }
}
