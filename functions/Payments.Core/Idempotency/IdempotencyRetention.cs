using Microsoft.Extensions.Logging;
using Payments.Core.Hosting;
using Payments.Core.Storage;
using Payments.Core.Transactions;

namespace Payments.Core.Idempotency;

/// <summary>
/// Deletes idempotency records past <c>Payments__IdempotencyRetentionDays</c>: ledger entries
/// (their <c>RetainUntil</c> has passed) and the markers of the same age. Transaction state is kept:
/// refunds may arrive at any time. Runs hourly on its own timer: it queries both tables whole, which
/// takes longer the more there is, and must not hold up the outbox relay's runs.
/// </summary>
public sealed partial class IdempotencyRetention(TransactionStore store, PaymentsOptions options, TimeProvider time, ILogger<IdempotencyRetention> logger)
{
    /// <summary>NCRONTAB schedule of the timer trigger: hourly, at minute 17.</summary>
    public const string Schedule = "0 17 * * * *";
    /// <summary>How often the local host sweeps (from its start).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    /// <returns>how many records were deleted.</returns>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var deleted = 0;
        var ledgerFilter = $"RetainUntil lt {Keys.DateTimeLiteral(now)}";
        await foreach (var entry in store.Transactions.QueryAsync(ledgerFilter, ["RetainUntil"], cancellationToken: cancellationToken))
            deleted += await DeleteAsync(store.Transactions, entry, cancellationToken);
        var markerFilter = $"CreatedAt lt {Keys.DateTimeLiteral(now.AddDays(-options.IdempotencyRetentionDays))} and (RowKey lt '{Keys.IndexRowsFrom}' or RowKey ge '{Keys.IndexRowsTo}')";
        await foreach (var marker in store.Requests.QueryAsync(markerFilter, ["CreatedAt"], cancellationToken: cancellationToken))
            deleted += await DeleteAsync(store.Requests, marker, cancellationToken);
        if (deleted > 0) LogSwept(logger, deleted, options.IdempotencyRetentionDays);
        return deleted;
    }

    private static async Task<int> DeleteAsync(TableClient table, TableEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteAsync(entity.PartitionKey, entity.RowKey, entity.ETag ?? "*", cancellationToken);
            return 1;
        }
        catch (StorageRequestFailedException e) when (e.Status is 404 or 412)
        {
            return 0; // gone already, or changed: the next sweep looks again
        }
    }


    [LoggerMessage(80, LogLevel.Information, "retention: deleted {Count} idempotency record(s) older than {Days} days")]
    private static partial void LogSwept(ILogger logger, int count, int days);
}
