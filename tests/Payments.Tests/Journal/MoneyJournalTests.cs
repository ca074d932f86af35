using Azure.Data.Tables;
using Payments.Core.Idempotency;
using Payments.Core.Journal;
using Payments.Core.Storage;
using Payments.Tests.Storage;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Journal;

/// <summary>The money journal on Azurite: a movement counts once its commit happened, whatever lookup rows exist.</summary>
[Trait("Category", Category.Storage)]
public class MoneyJournalTests
{
    private static readonly DateTimeOffset T0 = new(2026, 8, 11, 7, 0, 0, TimeSpan.Zero);

    private static async Task<(TransactionStore Store, MoneyJournal Journal)> NewAsync()
    {
        var connection = await StorageTestContext.ConnectionAsync();
        var store = new TransactionStore(StorageClients.CreateTableServiceClient(connection), StorageClients.CreateQueueServiceClient(connection),
            new NoQueueSignal(), new StorageNamesOptions { NamePrefix = StorageTestContext.NewPrefix() });
        await store.EnsureCreatedAsync(default);
        return (store, new MoneyJournal(store));
    }

    private static MoneyMovement Movement(string eventRequestId, DateTimeOffset at, long micros = 1_500_000, string piaid = "Acme_USD",
        MoneyMovementKind kind = MoneyMovementKind.Capture) =>
        new(piaid, eventRequestId, "pi-" + eventRequestId, kind, micros, "USD", at, "redirect-payment-token-v1", $"{piaid}|rf|{eventRequestId}");

    /// <summary>What a money-moving call does: the lookup rows, then the commit holding the record.</summary>
    private static async Task CommitAsync(TransactionStore store, MoneyJournal journal, MoneyMovement movement)
    {
        await journal.IndexAsync(movement, default);
        await store.Transactions.SubmitAsync([MoneyJournal.Record(movement)]);
    }

    [Fact]
    public async Task A_committed_movement_is_found_by_account_and_Googles_request_id()
    {
        var (store, journal) = await NewAsync();
        var movement = Movement("G-capture-1", T0) with { ReferenceNumber = "1234-5678", CaptureRequestId = "G-reserve-1" };
        await CommitAsync(store, journal, movement);

        Assert.Equal(movement, await journal.FindAsync("Acme_USD", "G-capture-1", default));
        Assert.Null(await journal.FindAsync("Other_USD", "G-capture-1", default));
        Assert.Null(await journal.FindAsync("Acme_USD", "G-unknown", default));
    }

    [Fact]
    public async Task Lookup_rows_whose_commit_never_happened_are_no_movement()
    {
        var (_, journal) = await NewAsync();
        await journal.IndexAsync(Movement("G-lost", T0), default);

        Assert.Null(await journal.FindAsync("Acme_USD", "G-lost", default));
        Assert.Empty(await StorageTestContext.ToListAsync(journal.ListAsync("Acme_USD", T0.AddDays(-1), T0.AddDays(1), default)));
    }

    [Fact]
    public async Task The_account_s_movements_are_listed_in_time_order_within_a_half_open_range()
    {
        var (store, journal) = await NewAsync();
        // Committed out of time order, one at the range's end (excluded), one of another account.
        await CommitAsync(store, journal, Movement("G-3", T0.AddHours(3)));
        await CommitAsync(store, journal, Movement("G-1", T0));
        await CommitAsync(store, journal, Movement("G-2", T0.AddHours(1), kind: MoneyMovementKind.Refund));
        await CommitAsync(store, journal, Movement("G-end", T0.AddDays(1)));
        await CommitAsync(store, journal, Movement("G-other", T0.AddHours(2), piaid: "Other_USD"));
        await journal.IndexAsync(Movement("G-uncommitted", T0.AddHours(2)), default);

        var listed = await StorageTestContext.ToListAsync(journal.ListAsync("Acme_USD", T0, T0.AddDays(1), default));
        Assert.Equal(["G-1", "G-2", "G-3"], listed.Select(m => m.EventRequestId));
        Assert.Equal(MoneyMovementKind.Refund, listed[1].Kind);
    }

    [Fact]
    public async Task A_decision_taken_again_at_a_later_time_is_listed_once_at_its_committed_time()
    {
        var (store, journal) = await NewAsync();
        // The first decision indexed itself and lost its commit; the second one committed.
        await journal.IndexAsync(Movement("G-again", T0), default);
        await CommitAsync(store, journal, Movement("G-again", T0.AddSeconds(2)));

        var listed = await StorageTestContext.ToListAsync(journal.ListAsync("Acme_USD", T0.AddHours(-1), T0.AddHours(1), default));
        Assert.Equal(T0.AddSeconds(2), Assert.Single(listed).At);
    }

    [Fact]
    public async Task A_movement_is_recorded_once_a_second_record_of_the_same_request_conflicts()
    {
        var (store, journal) = await NewAsync();
        await CommitAsync(store, journal, Movement("G-once", T0));
        var e = await Assert.ThrowsAsync<TableTransactionFailedException>(() => store.Transactions.SubmitAsync([MoneyJournal.Record(Movement("G-once", T0.AddSeconds(1)))]));
        Assert.Equal(409, e.Status);
    }
}
