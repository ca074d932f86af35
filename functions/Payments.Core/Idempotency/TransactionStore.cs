using Azure.Storage.Queues;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Storage;

namespace Payments.Core.Idempotency;

/// <summary>The tables and queues of the app, created on start. Callers name them by <see cref="TableNames"/>
/// and <see cref="QueueNames"/>; the clients carry the <see cref="StorageNamesOptions.NamePrefix"/>.</summary>
/// <param name="names">the prefix; none: the names in infra/</param>
public sealed class TransactionStore(TableServiceClient tables, QueueServiceClient queues, IQueueSignal signal, StorageNamesOptions? names = null)
{
    private readonly string _prefix = names?.NamePrefix ?? "";
    public TableClient Transactions { get; } = tables.GetTableClient(names?.NamePrefix + TableNames.Transactions);
    public TableClient Requests { get; } = tables.GetTableClient(names?.NamePrefix + TableNames.Requests);
    public TableClient Outbox { get; } = tables.GetTableClient(names?.NamePrefix + TableNames.Outbox);
    public TableClient Journal { get; } = tables.GetTableClient(names?.NamePrefix + TableNames.Journal);
    /// <param name="name">a name of <see cref="QueueNames"/> (or its poison twin), without the prefix</param>
    public QueueClient Queue(string name) => queues.GetQueueClient(_prefix + name);

    /// <summary>Time-to-live of every message we put: never expire silently (the service's -1).</summary>
    public static readonly TimeSpan NeverExpire = TimeSpan.FromSeconds(-1);

    /// <summary>Puts a work message that must never expire silently, and tells the local pump.</summary>
    /// <param name="delay">hidden until then (a scheduled retry); null: visible at once</param>
    public async Task EnqueueAsync(string queue, string text, TimeSpan? delay, CancellationToken cancellationToken)
    {
        var client = Queue(queue);
        await client.SendMessageAsync(text, visibilityTimeout: delay, timeToLive: NeverExpire, cancellationToken: cancellationToken);
        if (delay is null) signal.Enqueued(client.Name);
    }

    /// <summary>The approximate message count of each work queue (delayed retries included), read at once:
    /// how far the finishing workers are behind.</summary>
    public async Task<IReadOnlyDictionary<string, long>> WorkQueueDepthsAsync(CancellationToken cancellationToken)
    {
        var counts = await Task.WhenAll(QueueNames.All.Select(queue => Queue(queue).GetPropertiesAsync(cancellationToken)));
        return QueueNames.All.Zip(counts).ToDictionary(p => p.First, p => (long)p.Second.Value.ApproximateMessagesCount, StringComparer.Ordinal);
    }

    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        foreach (var table in TableNames.All) await tables.GetTableClient(_prefix + table).CreateIfNotExistsAsync(cancellationToken);
        foreach (var queue in QueueNames.All)
        {
            await Queue(queue).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await Queue(QueueNames.Poison(queue)).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
    }

    /// <summary>Reads the given rows of one partition by key, concurrently; absent rows are left out.</summary>
    /// <remarks>Point reads rather than one query with an <c>or</c> of row keys: in Azure both stay in
    /// the partition, but Azurite evaluates every query against every entity of the table.</remarks>
    public async Task<Dictionary<string, TableEntity>> ReadRowsAsync(string partition, IReadOnlyList<string> rowKeys, CancellationToken cancellationToken)
    {
        var reads = new Task<TableEntity?>[rowKeys.Count];
        for (var i = 0; i < reads.Length; i++) reads[i] = Transactions.GetOrNullAsync(partition, rowKeys[i], cancellationToken: cancellationToken);
        await Task.WhenAll(reads);
        var rows = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        foreach (var read in reads)
            if (read.Result is { } entity) rows[entity.RowKey] = entity;
        return rows;
    }
}
