using Azure;
using Azure.Data.Tables;
using Payments.Core.Storage;

namespace Payments.Core.Idempotency;

/// <summary>A row of table <c>outbox</c> (docs/storage.md): the index entry of one unfinished operation,
/// keyed like its <c>op|</c> row. Its property names and types are declared here, once, with the one
/// mapping to and from the table entity; every write says which of them it changes.</summary>
/// <param name="Queue">where the operation starts</param>
/// <param name="CreatedAt">when the row was written (before the commit that creates the operation)</param>
/// <param name="Parked">the operation needs an operator: the relay leaves it alone</param>
public sealed record OutboxRow(WorkItem Item, string Queue, DateTimeOffset CreatedAt, bool Parked = false, DateTimeOffset? ParkedAt = null)
{
    private const string QueueName = nameof(Queue), CreatedAtName = nameof(CreatedAt), ParkedName = nameof(Parked), ParkedAtName = nameof(ParkedAt);

    /// <summary>As read: the ETag a conditional write or delete of it needs.</summary>
    public ETag ETag { get; init; }

    /// <summary>The whole row (an insert or replace).</summary>
    public TableEntity ToEntity()
    {
        var entity = new TableEntity(Item.Partition, Item.Row) { [QueueName] = Queue, [CreatedAtName] = CreatedAt, [ParkedName] = Parked };
        if (ParkedAt is { } at) entity[ParkedAtName] = at;
        return entity;
    }

    public static OutboxRow From(TableEntity entity) =>
        new(new WorkItem(entity.PartitionKey, entity.RowKey), entity.GetString(QueueName) ?? QueueNames.Refunds,
            entity.GetDateTimeOffset(CreatedAtName) ?? DateTimeOffset.MinValue, entity.GetBoolean(ParkedName) ?? false, entity.GetDateTimeOffset(ParkedAtName))
        { ETag = entity.ETag };

    /// <summary>The merge that marks a row parked: <c>Parked</c> and <c>ParkedAt</c>, nothing else.</summary>
    public static TableEntity ParkedMerge(WorkItem item, DateTimeOffset at) =>
        new(item.Partition, item.Row) { [ParkedName] = true, [ParkedAtName] = at };

    /// <summary>What the relay reads of a row.</summary>
    public static readonly string[] RelaySelect = TableCalls.WithKeys(QueueName, CreatedAtName, ParkedName);

    /// <summary>Rows written before <paramref name="before"/> and not parked; with <paramref name="after"/>, only
    /// the rows whose keys come after its keys.</summary>
    public static string OverdueFilter(DateTimeOffset before, WorkItem? after = null)
    {
        var overdue = $"{CreatedAtName} lt {TableClient.CreateQueryFilter($"{before}")} and {ParkedName} eq {TableClient.CreateQueryFilter($"{false}")}";
        return after is not { } a ? overdue
            : overdue + " and " + TableClient.CreateQueryFilter($"(PartitionKey gt {a.Partition} or (PartitionKey eq {a.Partition} and RowKey gt {a.Row}))");
    }

    /// <summary>Parked rows.</summary>
    public static string ParkedFilter { get; } = $"{ParkedName} eq {TableClient.CreateQueryFilter($"{true}")}";
}
