using Azure.Data.Tables;

namespace Payments.Core.Idempotency;

/// <summary>Where the retention sweep stopped in one table: row <paramref name="Table"/> of partition
/// <c>retention|cursor</c> in table <c>requests</c> (docs/storage.md). Its property names and types are
/// declared here, once, with the one mapping.</summary>
/// <param name="Continuation">the SDK's continuation token of the sweep's query (null: a cursor of an older
/// form, whose pass starts over)</param>
public sealed record RetentionCursorRow(string Table, string? Continuation, DateTimeOffset SavedAt)
{
    /// <summary>The partition of the cursors (one row per swept table).</summary>
    public const string Partition = "retention|cursor";
    private const string ContinuationName = nameof(Continuation), SavedAtName = nameof(SavedAt);

    /// <summary>The whole row (an upsert).</summary>
    public TableEntity ToEntity() => new(Partition, Table) { [ContinuationName] = Continuation, [SavedAtName] = SavedAt };

    public static RetentionCursorRow From(TableEntity entity) =>
        new(entity.RowKey, entity.GetString(ContinuationName), entity.GetDateTimeOffset(SavedAtName) ?? DateTimeOffset.MinValue);
}
