using System.Collections.Frozen;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using Payments.Core.Finishing;
using Payments.Core.Hosting;
using Payments.Core.Idempotency;
using Payments.Core.Journal;
using Payments.Core.Protocol;
using Payments.Core.Transactions;
using Payments.Tests.TestSupport;
using Payments.Core.Storage;

namespace Payments.Tests.Storage;

/// <summary>Fault paths Azurite cannot produce on demand, on mocked SDK clients: a 412 on the commit, a
/// 503 on the put after the commit, a time-out after the batch was applied, a throttled read.</summary>
[Trait("Category", Category.Unit)]
public sealed class StorageFaultTests
{
    private const string Piaid = "InvisiCashUSA_USD";
    private readonly Mock<TableClient> _transactions = new(MockBehavior.Strict);
    private readonly Mock<TableClient> _requests = new(MockBehavior.Strict);
    private readonly Mock<TableClient> _outbox = new(MockBehavior.Strict);
    private readonly Mock<TableClient> _journal = new(MockBehavior.Strict);
    private readonly Mock<QueueClient> _queue = new(MockBehavior.Strict);
    private readonly TransactionStore _store;
    private readonly OutboxIndex _outboxIndex;

    public StorageFaultTests()
    {
        var tables = new Mock<TableServiceClient>(MockBehavior.Strict);
        tables.Setup(t => t.GetTableClient(TableNames.Transactions)).Returns(_transactions.Object);
        tables.Setup(t => t.GetTableClient(TableNames.Requests)).Returns(_requests.Object);
        tables.Setup(t => t.GetTableClient(TableNames.Outbox)).Returns(_outbox.Object);
        tables.Setup(t => t.GetTableClient(TableNames.Journal)).Returns(_journal.Object);
        var queues = new Mock<QueueServiceClient>(MockBehavior.Strict);
        queues.Setup(q => q.GetQueueClient(It.IsAny<string>())).Returns(_queue.Object);
        _store = new TransactionStore(tables.Object, queues.Object, new NoQueueSignal());
        _outboxIndex = new OutboxIndex(_store, TimeProvider.System, NullLogger<OutboxIndex>.Instance);
        _outbox.Setup(o => o.UpsertEntityAsync(It.IsAny<ITableEntity>(), TableUpdateMode.Replace, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new FakeResponse(204, "W/\"outbox-1\""));
        // The money journal's lookup rows, written before a payment's commit.
        _journal.Setup(j => j.SubmitTransactionAsync(It.IsAny<IEnumerable<TableTransactionAction>>(), It.IsAny<CancellationToken>())).ReturnsAsync(Committed(2));
    }

    // ---- store payment: read → decide → conditional batch → put ----

    private (string Partition, string StateRow) ReferenceNumber(string number)
    {
        var partition = Keys.ReferenceNumberPartition(Piaid, "G-" + number);
        var indexPartition = Keys.ReferenceNumberIndexPartition(Piaid, number);
        _requests.Setup(r => r.GetEntityIfExistsAsync<TableEntity>(indexPartition, Keys.IndexRow(indexPartition), It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response.FromValue(new ReferenceNumberIndexRow(Piaid, number, partition).ToEntity(), new FakeResponse(200)));
        return (partition, Keys.StateRow(partition));
    }

    private static TableEntity ActiveState(string partition, string number, string etag)
    {
        var state = new ReferenceNumberRow(partition, ReferenceNumberStatus.Active, Piaid, "G-" + number, ProtocolApis.RefundableOneTimePaymentCode, 1,
            number, 5_000_000, "USD", "", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1), PaidMicros: 0, RefundedMicros: 0).ToEntity();
        state.ETag = new ETag(etag);
        return state;
    }

    private static TableEntity Reservation(string partition, string? etag)
    {
        var state = new FundsReservationRow(partition, FundsReservationStatus.Reserved, Piaid, "R-1", "RF-1", 1_000_000, "INR",
            DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1)).ToEntity();
        if (etag is not null) state.ETag = new ETag(etag);
        return state;
    }

    private static Response<IReadOnlyList<Response>> Committed(int operations) =>
        Response.FromValue<IReadOnlyList<Response>>(Enumerable.Range(0, operations).Select(i => (Response)new FakeResponse(204, $"W/\"c{i}\"")).ToList(), new FakeResponse(202));

    private void QueuePutSucceeds() =>
        _queue.Setup(q => q.SendMessageAsync(It.IsAny<string>(), It.IsAny<TimeSpan?>(), It.IsAny<TimeSpan?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response.FromValue(QueuesModelFactory.SendReceipt("m1", DateTimeOffset.UtcNow, DateTimeOffset.MaxValue, "pop", DateTimeOffset.UtcNow), new FakeResponse(201)));

    private StorePayments StorePayments() => new(_store, _outboxIndex, new MoneyJournal(_store), TimeProvider.System);

    [Fact]
    public async Task A_412_on_the_commit_makes_the_store_payment_decide_again_on_the_new_state()
    {
        var (partition, stateRow) = ReferenceNumber("1111-2222");
        _transactions.SetupSequence(t => t.GetEntityIfExistsAsync<TableEntity>(partition, stateRow, It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response.FromValue(ActiveState(partition, "1111-2222", "W/\"s1\""), new FakeResponse(200)))
            .ReturnsAsync(Response.FromValue(ActiveState(partition, "1111-2222", "W/\"s2\""), new FakeResponse(200)));
        var batches = new List<TableTransactionAction[]>();
        _transactions.SetupSequence(t => t.SubmitTransactionAsync(Capture(batches), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new TableTransactionFailedException(new RequestFailedException(412, "condition not met", "UpdateConditionNotSatisfied", null)))
            .ReturnsAsync(Committed(2));
        QueuePutSucceeds();

        var result = await StorePayments().ReportAsync(new PaymentReport(Piaid, "1111-2222", "STORE-1", 1_700_000_000_000), default);

        Assert.Equal(PaymentReportStatus.Paid, result.Status);
        Assert.Equal(2, batches.Count);
        // The second attempt merges on the state it read again, not on the stale one.
        Assert.Equal(new ETag("W/\"s1\""), batches[0].Single(a => a.ActionType == TableTransactionActionType.UpdateMerge).ETag);
        Assert.Equal(new ETag("W/\"s2\""), batches[1].Single(a => a.ActionType == TableTransactionActionType.UpdateMerge).ETag);
        _queue.Verify(q => q.SendMessageAsync(It.IsAny<string>(), null, TransactionStore.NeverExpire, It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task A_503_on_the_put_after_the_commit_still_answers_paid_and_leaves_the_outbox_row_for_the_relay()
    {
        var (partition, stateRow) = ReferenceNumber("3333-4444");
        _transactions.Setup(t => t.GetEntityIfExistsAsync<TableEntity>(partition, stateRow, It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response.FromValue(ActiveState(partition, "3333-4444", "W/\"s1\""), new FakeResponse(200)));
        _transactions.Setup(t => t.SubmitTransactionAsync(It.IsAny<IEnumerable<TableTransactionAction>>(), It.IsAny<CancellationToken>())).ReturnsAsync(Committed(2));
        _queue.Setup(q => q.SendMessageAsync(It.IsAny<string>(), It.IsAny<TimeSpan?>(), It.IsAny<TimeSpan?>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new RequestFailedException(503, "busy", "ServerBusy", null));

        var result = await StorePayments().ReportAsync(new PaymentReport(Piaid, "3333-4444", "STORE-2", 1_700_000_000_000), default);

        Assert.Equal(PaymentReportStatus.Paid, result.Status);
        _transactions.Verify(t => t.SubmitTransactionAsync(It.IsAny<IEnumerable<TableTransactionAction>>(), It.IsAny<CancellationToken>()), Times.Once);
        // Strict mock: a removal of the outbox row (DeleteEntityAsync) would have thrown; the relay re-enqueues the work.
        _outbox.Verify(o => o.UpsertEntityAsync(It.IsAny<ITableEntity>(), TableUpdateMode.Replace, It.IsAny<CancellationToken>()), Times.Once);
    }

    // ---- the ledger ----

    private IdempotencyLedger Ledger() => new(_store, _outboxIndex,
        new PaymentsOptions { AccountIds = Piaid },
        new FinishingBacklog(_store, new FinishingOptions { MaxBacklog = 0 }, TimeProvider.System, NullLogger<FinishingBacklog>.Instance),
        TimeProvider.System, NullLogger<IdempotencyLedger>.Instance);

    [Fact]
    public async Task A_timeout_after_the_batch_was_applied_ends_in_the_replay_of_what_it_stored()
    {
        // A creating call commits without reading. Its first try timed out after the service applied it;
        // the retry then answers 409 (the ledger entry exists). The next attempt reads and finds its own entry.
        var partition = Keys.FundsReservationPartition(Piaid, "R-1");
        var method = Keys.MethodKey(ProtocolMethods.ReserveFundsV1);
        var request = new IdempotentRequest(Piaid, method, "R-1", "fp-1", partition, NeedsMarker: false);
        var ledgerRow = Keys.LedgerRow(method, "R-1");
        _transactions.Setup(t => t.SubmitTransactionAsync(It.IsAny<IEnumerable<TableTransactionAction>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new TableTransactionFailedException(new RequestFailedException(409, "exists", "EntityAlreadyExists", null)));
        _transactions.Setup(t => t.GetEntityIfExistsAsync<TableEntity>(partition, Keys.StateRow(partition), It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response.FromValue(Reservation(partition, "W/\"s\""), new FakeResponse(200)));
        _transactions.Setup(t => t.GetEntityIfExistsAsync<TableEntity>(partition, ledgerRow, It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response.FromValue(new LedgerEntryRow(partition, ledgerRow, method, "R-1", "fp-1", "{\"stored\":true}", default, default).ToEntity(), new FakeResponse(200)));
        var decisions = 0;

        var payload = await Ledger().ExecuteAsync(request, (snapshot, _) =>
        {
            decisions++;
            return ValueTask.FromResult(new CommitPlan("{\"stored\":true}",
                [new TableTransactionAction(TableTransactionActionType.Add, Reservation(partition, null))], []));
        }, default);

        Assert.Equal("{\"stored\":true}", payload);
        Assert.Equal(1, decisions);
        _transactions.Verify(t => t.SubmitTransactionAsync(It.IsAny<IEnumerable<TableTransactionAction>>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task A_throttled_read_fails_the_call_as_dependency_down_and_gives_back_the_marker_it_claimed()
    {
        var partition = Keys.ReferenceNumberPartition(Piaid, "G-9");
        var method = Keys.MethodKey(ProtocolMethods.CancelReferenceNumberV2);
        var request = new IdempotentRequest(Piaid, method, "C-9", "fp-9", partition, NeedsMarker: true);
        var markerPartition = Keys.MarkerPartition(Piaid, "C-9");
        var markerRow = Keys.MarkerRow(markerPartition, method);
        _requests.Setup(r => r.AddEntityAsync(It.Is<ITableEntity>(e => e.PartitionKey == markerPartition), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new FakeResponse(204, "W/\"marker\""));
        _transactions.Setup(t => t.GetEntityIfExistsAsync<TableEntity>(partition, Keys.StateRow(partition), It.IsAny<IEnumerable<string>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new RequestFailedException(429, "too many requests", "ServerBusy", null));
        _requests.Setup(r => r.DeleteEntityAsync(markerPartition, markerRow, new ETag("W/\"marker\""), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new FakeResponse(204));

        var e = await Assert.ThrowsAsync<RequestFailedException>(() => Ledger().ExecuteAsync(request,
            (_, _) => throw new InvalidOperationException("no decision without the state"), default));

        Assert.Equal(429, e.Status);
        Assert.True(ProtocolProcessor.IsDependencyDown(e)); // answered 503: Google retries
        _requests.Verify(r => r.DeleteEntityAsync(markerPartition, markerRow, new ETag("W/\"marker\""), It.IsAny<CancellationToken>()), Times.Once);
        _transactions.Verify(t => t.SubmitTransactionAsync(It.IsAny<IEnumerable<TableTransactionAction>>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    private static IEnumerable<TableTransactionAction> Capture(List<TableTransactionAction[]> batches) =>
        Match.Create<IEnumerable<TableTransactionAction>>(actions => { batches.Add(actions.ToArray()); return true; });
}
