using Azure.Data.Tables;
using Payments.Core.Hosting;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;
using Payments.Core.Storage;
using Payments.Core.Transactions;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Storage;

/// <summary>The row types of docs/storage.md against Azurite: every property, set, comes back as it went in,
/// stored as the type its record declares (Int64 amounts, Int32 counters: the SDK does not read one as the
/// other), and a merge carries the properties it names and nothing else.</summary>
[Trait("Category", Category.Storage)]
public class RowMappingTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 4, 23, 0, 0, TimeSpan.FromHours(2));
    private const string Partition = "P1|rn|G-1";

    public static TheoryData<string> Rows => new(Examples.Keys);

    private static readonly Dictionary<string, (object Row, Func<TableEntity> ToEntity, Func<TableEntity, object> From)> Examples = new()
    {
        [nameof(LedgerEntryRow)] = Example(new LedgerEntryRow(Partition, "req|m|R-1", "m", "R-1", "fp", "{}", At, At.AddDays(30)), r => r.ToEntity(), LedgerEntryRow.From),
        [nameof(MarkerRow)] = Example(new MarkerRow("P1|R-1", "m|0123", "m", Partition, "fp", At), r => r.ToEntity(), e => MarkerRow.From(e) with { ETag = default }),
        [nameof(RetentionCursorRow)] = Example(new RetentionCursorRow("transactions", "token", At), r => r.ToEntity(), RetentionCursorRow.From),
        [nameof(OperationRow)] = Example(Operations.New(Partition, "op|R-2", OperationKinds.Refund, "P1", "R-2", QueueNames.Refunds,
            GoogleMethods.RefundResultNotificationV1, At) with
        {
            AmountMicros = long.MaxValue, CurrencyCode = "USD", ReferenceNumber = "1234", WholeRemaining = true, BackOfficeCode = "GSP-1",
            PaymentIntegratorTransactionId = "T-1", PaidAt = At, Result = "SUCCESS", FinishedAt = At, BookingId = "B-1", Attempts = "[]",
            BookingAttempts = 2, NotificationAttempts = 3, NotifiedAt = At, RequeuedAt = At, ParkedQueue = "refunds", ParkedReason = "why",
            RelayedAt = At, RelayCount = 4,
        }, r => r.ToEntity(), e => OperationRow.From(e) with { ETag = default }),
        [nameof(ReferenceNumberRow)] = Example(new ReferenceNumberRow(Partition, ReferenceNumberStatus.Paid, "P1", "G-1", "api", 2, "1234", 9_007_199_254_740_993,
            "USD", "d", At, At.AddDays(7), 9_007_199_254_740_993, 5) { PaidAt = At, PaymentIntegratorTransactionId = "T-1", CancelledAt = At, UpdatedAt = At },
            r => r.ToEntity(), e => ReferenceNumberRow.From(e) with { ETag = default }),
        [nameof(FundsReservationRow)] = Example(new FundsReservationRow("P1|rf|R-3", FundsReservationStatus.Cancelled, "P1", "R-3", "RF-1", long.MaxValue, "INR", At,
            At.AddDays(7)) { CancelledAt = At }, r => r.ToEntity(), e => FundsReservationRow.From(e) with { ETag = default }),
        [nameof(MandateRow)] = Example(new MandateRow("P1|md|M-1", MandateStatus.Cancelled, "P1", "M-1", "C-1", "name", "MONTHLY", long.MaxValue, "INR", At,
            At.AddDays(30), At) { CancelledAt = At }, r => r.ToEntity(), e => MandateRow.From(e) with { ETag = default }),
    };

    private static (object, Func<TableEntity>, Func<TableEntity, object>) Example<T>(T row, Func<T, TableEntity> toEntity, Func<TableEntity, T> from)
        where T : notnull => (row, () => toEntity(row), e => from(e));

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task A_row_comes_back_as_written_each_property_stored_as_its_declared_type(string rowType)
    {
        var (row, toEntity, from) = Examples[rowType];
        var (_, table) = await StorageTestContext.NewTableAsync();
        var written = toEntity();
        await table.InsertAsync(written);
        var read = (await table.GetOrNullAsync(written.PartitionKey, written.RowKey))!;

        Assert.Equal(row, from(read));
        var stored = read.Keys.Where(k => k is not ("PartitionKey" or "RowKey" or "odata.etag" or "Timestamp")).ToList();
        Assert.Equal(written.Keys.Where(k => k is not ("PartitionKey" or "RowKey")).Order(), stored.Order());
        foreach (var name in stored)
        {
            var declared = row.GetType().GetProperty(name)!.PropertyType;
            Assert.Equal((Nullable.GetUnderlyingType(declared) ?? declared).Name, read[name]!.GetType().Name);
        }
    }

    [Fact]
    public void A_merge_carries_the_properties_it_names_and_nothing_else()
    {
        var operation = Operations.New(Partition, "op|R-2", OperationKinds.Refund, "P1", "R-2", QueueNames.Refunds, GoogleMethods.RefundResultNotificationV1, At)
            with { RelayCount = 1, RelayedAt = At, Result = "SUCCESS", FinishedAt = At, Attempts = "[]" };
        Assert.Equal(new[] { nameof(OperationRow.DueAt), nameof(OperationRow.RelayCount), nameof(OperationRow.RelayedAt) }, Properties(operation.RelayedMerge()));
        // BookingId has no value (a release, a decline): it is left as stored.
        Assert.Equal(new[] { nameof(OperationRow.Attempts), nameof(OperationRow.DueAt), nameof(OperationRow.FinishedAt), nameof(OperationRow.Result),
            nameof(OperationRow.State), nameof(OperationRow.UpdatedAt) }, Properties(operation.FinishedMerge()));
        Assert.Equal(new[] { nameof(OperationRow.Attempts), nameof(OperationRow.BookingAttempts), nameof(OperationRow.DueAt), nameof(OperationRow.UpdatedAt) },
            Properties((operation with { BookingAttempts = 1 }).FailedAttemptMerge(notification: false)));
        Assert.Equal(new[] { nameof(OperationRow.Attempts), nameof(OperationRow.DueAt), nameof(OperationRow.NotificationAttempts), nameof(OperationRow.ParkedQueue),
            nameof(OperationRow.ParkedReason), nameof(OperationRow.State), nameof(OperationRow.UpdatedAt) },
            Properties((operation with { NotificationAttempts = 4, State = OperationStates.NeedsAttention, ParkedQueue = "q", ParkedReason = "r" }).FailedAttemptMerge(notification: true)));

        var number = (ReferenceNumberRow)Examples[nameof(ReferenceNumberRow)].Row;
        Assert.Equal(new[] { nameof(ReferenceNumberRow.RefundedMicros), nameof(ReferenceNumberRow.UpdatedAt) }, Properties(number.RefundedMerge()));
        Assert.Equal(new[] { nameof(ReferenceNumberRow.CancelledAt), nameof(ReferenceNumberRow.Status) }, Properties(number.CancelledMerge()));
        Assert.IsType<long>(number.RefundedMerge()[nameof(ReferenceNumberRow.RefundedMicros)]);
    }

    private static string[] Properties(TableEntity merge) =>
        [.. merge.Keys.Where(k => k is not ("PartitionKey" or "RowKey")).Order(StringComparer.Ordinal)];
}
