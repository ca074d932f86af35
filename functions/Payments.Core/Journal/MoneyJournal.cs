using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Idempotency;
using Payments.Core.Storage;

namespace Payments.Core.Journal;

/// <summary>
/// The money journal (docs/storage.md, "The money journal"): every paid reference number, capture and
/// refund, recorded in the commit that moves the money and findable by (PIAID, Google's requestId) or by
/// PIAID and time, for settlement.
/// <remarks>A table batch stays in one partition, and a movement's state change lives in its transaction's
/// partition, so the record is written there (<see cref="Record"/>), atomically with the change. The rows
/// that find it by account are written just before that commit (<see cref="IndexAsync"/>): a commit that then
/// fails leaves a row pointing at no record, which the reads here skip.</remarks>
/// </summary>
public sealed class MoneyJournal(TransactionStore store)
{
    /// <summary>The authoritative record: an insert in the batch that moves the money, never separately.</summary>
    public static TableTransactionAction Record(MoneyMovement movement) =>
        new(TableTransactionActionType.Add, MoneyMovementRow.ToEntity(movement));

    /// <summary>Before that commit: the rows that find the movement by account (insert or replace, one batch;
    /// a retried decision writes the same rows, or rows with a later time that point at the same record).</summary>
    public async Task IndexAsync(MoneyMovement movement, CancellationToken cancellationToken)
    {
        await store.Journal.SubmitAsync(
        [
            new TableTransactionAction(TableTransactionActionType.UpsertReplace, JournalRows.Event(movement)),
            new TableTransactionAction(TableTransactionActionType.UpsertReplace, JournalRows.Time(movement)),
        ], cancellationToken);
    }

    /// <summary>The committed movement Google's <paramref name="eventRequestId"/> names, or null. Two point reads.</summary>
    public async Task<MoneyMovement?> FindAsync(string paymentIntegratorAccountId, string eventRequestId, CancellationToken cancellationToken)
    {
        var pointer = await store.Journal.GetOrNullAsync(JournalRows.Partition(paymentIntegratorAccountId), JournalRows.EventRow(eventRequestId),
            JournalRows.TargetSelect, cancellationToken);
        return pointer is null ? null : await ConfirmAsync(paymentIntegratorAccountId, JournalRows.Target(pointer), cancellationToken);
    }

    /// <summary>The committed movements of the account with <paramref name="from"/> ≤ At &lt; <paramref name="to"/>,
    /// in time order, streamed (one page of rows at a time, one point read per movement).</summary>
    public async IAsyncEnumerable<MoneyMovement> ListAsync(string paymentIntegratorAccountId, DateTimeOffset from, DateTimeOffset to,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var partition = JournalRows.Partition(paymentIntegratorAccountId);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {JournalRows.TimeRowFrom(from)} and RowKey lt {JournalRows.TimeRowFrom(to)}");
        await foreach (var page in store.Journal.QueryAsync<TableEntity>(filter, select: JournalRows.TargetSelect, cancellationToken: cancellationToken).AsPages())
        {
            // The page's movements are confirmed concurrently, and handed out in the page's (time) order. A decision
            // taken again writes a second time row; only the one with the committed time counts.
            var targets = page.Values.Select(JournalRows.Target).ToList();
            var confirmed = await Task.WhenAll(targets.Select(target => ConfirmAsync(paymentIntegratorAccountId, target, cancellationToken)));
            for (var i = 0; i < confirmed.Length; i++)
                if (confirmed[i] is { } movement && movement.At == targets[i].At) yield return movement;
        }
    }

    /// <summary>The authoritative record a lookup row points at; null when its commit never happened.</summary>
    private async Task<MoneyMovement?> ConfirmAsync(string piaid, (string Partition, string EventRequestId, DateTimeOffset At) target, CancellationToken cancellationToken)
    {
        var row = await store.Transactions.GetOrNullAsync(target.Partition, MoneyMovementRow.RowKey(target.EventRequestId), cancellationToken: cancellationToken);
        return row is null ? null : MoneyMovementRow.From(row) is var movement && movement.PaymentIntegratorAccountId == piaid ? movement : null;
    }
}
