using Azure;
using Azure.Data.Tables;

namespace Payments.Core.Storage;

/// <summary>The table calls the app makes, on the SDK's <see cref="TableClient"/>, each with
/// <see cref="TableChecks"/> first and the new ETag as the result.</summary>
public static class TableCalls
{
    /// <summary>A $select list that keeps the keys: the SDK returns only what is named, and a row
    /// without its keys cannot be written or deleted again.</summary>
    public static string[] WithKeys(params string[] properties) => ["PartitionKey", "RowKey", .. properties];

    /// <summary>A merge of <paramref name="row"/> that carries only the <paramref name="changed"/> properties
    /// (those the row has a value for): what a merge says it changes, and nothing else.</summary>
    public static TableEntity MergeOf(TableEntity row, params string[] changed)
    {
        var merge = new TableEntity(row.PartitionKey, row.RowKey);
        foreach (var name in changed) if (row.TryGetValue(name, out var value)) merge[name] = value;
        return merge;
    }

    /// <summary>Sets the property when <paramref name="value"/> is not null: a row stores only the properties it has.</summary>
    public static void SetIfPresent(this TableEntity entity, string name, object? value)
    {
        if (value is not null) entity[name] = value;
    }

    /// <returns>null when the entity does not exist.</returns>
    public static async Task<TableEntity?> GetOrNullAsync(this TableClient table, string partitionKey, string rowKey,
        IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        TableChecks.Key(partitionKey, nameof(partitionKey));
        TableChecks.Key(rowKey, nameof(rowKey));
        var response = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, select, cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }

    /// <returns>the new ETag. 409 EntityAlreadyExists when the keys exist.</returns>
    /// <remarks>An insert whose first try reached the service but whose answer was lost is retried and
    /// then fails with 409 although it was stored: callers treat 409 as "exists" and read the entity.</remarks>
    public static async Task<ETag> InsertAsync(this TableClient table, ITableEntity entity, CancellationToken cancellationToken = default)
    {
        TableChecks.Entity(entity);
        return ETagOf(await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Merges the properties <paramref name="entity"/> carries, if the row still has <paramref name="etag"/>
    /// (<see cref="ETag.All"/>: whatever it has). 412 when stale, 404 when gone.</summary>
    public static async Task<ETag> MergeAsync(this TableClient table, ITableEntity entity, ETag etag, CancellationToken cancellationToken = default)
    {
        TableChecks.Entity(entity);
        return ETagOf(await table.UpdateEntityAsync(entity, etag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Replaces the row if it still has <paramref name="etag"/>. 412 when stale, 404 when gone.</summary>
    public static async Task<ETag> ReplaceAsync(this TableClient table, ITableEntity entity, ETag etag, CancellationToken cancellationToken = default)
    {
        TableChecks.Entity(entity);
        return ETagOf(await table.UpdateEntityAsync(entity, etag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Insert or replace.</summary>
    public static async Task<ETag> UpsertAsync(this TableClient table, ITableEntity entity, CancellationToken cancellationToken = default)
    {
        TableChecks.Entity(entity);
        return ETagOf(await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Insert or merge.</summary>
    public static async Task<ETag> UpsertMergeAsync(this TableClient table, ITableEntity entity, CancellationToken cancellationToken = default)
    {
        TableChecks.Entity(entity);
        return ETagOf(await table.UpsertEntityAsync(entity, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Deletes the row if it still has <paramref name="etag"/>. 412 when stale; a row already gone is no error.</summary>
    public static async Task DeleteRowAsync(this TableClient table, string partitionKey, string rowKey, ETag etag, CancellationToken cancellationToken = default)
    {
        TableChecks.Key(partitionKey, nameof(partitionKey));
        TableChecks.Key(rowKey, nameof(rowKey));
        await table.DeleteEntityAsync(partitionKey, rowKey, etag, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An entity group transaction, checked by <see cref="TableChecks.Batch"/> first.</summary>
    /// <returns>the new ETag of each operation (default for deletes).</returns>
    /// <exception cref="TableTransactionFailedException">nothing was committed; it names the failed operation.</exception>
    public static async Task<IReadOnlyList<ETag>> SubmitAsync(this TableClient table, IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        TableChecks.Batch(actions);
        var responses = (await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false)).Value;
        var etags = new ETag[responses.Count];
        for (var i = 0; i < etags.Length; i++) etags[i] = responses[i].Headers.ETag ?? default;
        return etags;
    }

    private static ETag ETagOf(Response response) =>
        response.Headers.ETag ?? throw new RequestFailedException(response.Status, "the response carried no ETag", "MissingETag", null);
}
