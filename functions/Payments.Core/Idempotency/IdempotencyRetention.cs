using Payments.Core.Protocol;
using Microsoft.Extensions.Logging;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Storage;

namespace Payments.Core.Idempotency;

/// <summary>
/// Deletes idempotency records past <c>Payments__IdempotencyRetentionDays</c>: ledger entries
/// (their <c>RetainUntil</c> has passed) and the markers of the same age. Transaction state is kept:
/// refunds may arrive at any time. Runs hourly on its own timer. Finding the records means reading
/// both tables through (no key says how old a row is), which grows with everything ever stored; so a
/// run stops after <see cref="RunBudget"/> and leaves a cursor (the query's continuation, in table
/// <c>requests</c>) where the next run goes on. A record is deleted at most one full pass late, which
/// against a retention of days does not matter.
/// </summary>
public sealed partial class IdempotencyRetention(TransactionStore store, PaymentsOptions options, TimeProvider time, ILogger<IdempotencyRetention> logger)
{
    /// <summary>NCRONTAB schedule of the timer trigger: hourly, at minute 17.</summary>
    public const string Schedule = "0 17 * * * *";

    /// <summary>How long one run reads before it saves its cursor and stops (at least one page per table).</summary>
    public TimeSpan RunBudget { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>$top of each page; null: the service's maximum (1,000).</summary>
    public int? PageSize { get; init; }

    /// <returns>how many records were deleted.</returns>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var started = time.GetTimestamp();
        var deleted = await SweepAsync(store.Transactions, LedgerEntryRow.ExpiredFilter(now), LedgerEntryRow.RetentionSelect, started, cancellationToken);
        var markerFilter = $"{MarkerRow.CreatedBeforeFilter(now.AddDays(-options.IdempotencyRetentionDays))} and ({TableClient.CreateQueryFilter(
            $"RowKey lt {Keys.IndexRowsFrom} or RowKey ge {Keys.IndexRowsTo}")})";
        deleted += await SweepAsync(store.Requests, markerFilter, MarkerRow.RetentionSelect, started, cancellationToken);
        if (deleted > 0) LogSwept(logger, deleted, options.IdempotencyRetentionDays);
        return deleted;
    }

    private async Task<int> SweepAsync(TableClient table, string filter, string[] select, long started, CancellationToken cancellationToken)
    {
        var cursor = await store.Requests.GetOrNullAsync(RetentionCursorRow.Partition, table.Name, cancellationToken: cancellationToken);
        var deleted = 0;
        var pages = table.QueryAsync<TableEntity>(filter, PageSize, select, cancellationToken).AsPages(cursor is null ? null : RetentionCursorRow.From(cursor).Continuation, PageSize);
        await foreach (var page in pages)
        {
            foreach (var entity in page.Values) deleted += await DeleteAsync(table, entity, cancellationToken);
            if (page.ContinuationToken is null) break;
            if (time.GetElapsedTime(started) >= RunBudget)
            {
                await store.Requests.UpsertAsync(new RetentionCursorRow(table.Name, page.ContinuationToken, time.GetUtcNow()).ToEntity(), cancellationToken);
                LogResumesLater(logger, table.Name, deleted);
                return deleted;
            }
        }
        // The end of the table: the next run starts from the beginning.
        if (cursor is not null) await DeleteAsync(store.Requests, cursor, cancellationToken);
        return deleted;
    }

    private static async Task<int> DeleteAsync(TableClient table, TableEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteRowAsync(entity.PartitionKey, entity.RowKey, entity.ETag, cancellationToken);
            return 1;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return 0; // gone already, or changed: the next sweep looks again
        }
    }

    [LoggerMessage(80, LogLevel.Information, "retention: deleted {Count} idempotency record(s) older than {Days} days")]
    private static partial void LogSwept(ILogger logger, int count, int days);

    [LoggerMessage(81, LogLevel.Information, "retention: stopped in table {Table} after its time budget ({Count} deleted there); the next run goes on from here")]
    private static partial void LogResumesLater(ILogger logger, string table, int count);
}
