using Azure;
using Azure.Data.Tables;
using Payments.Core.Storage;

namespace Payments.Core.Settlement;

/// <summary>A statement's state row (docs/storage.md, "Remittance statements"): the notified summary, where
/// reconciliation stands, and its running results. One mapping to and from the entity; every write is a merge
/// of the whole row, conditional on the ETag it was read with.</summary>
/// <param name="Api">the family and version, e.g. "refundable-one-time-payment-code-v1"</param>
/// <param name="NextOffset">where the next details page starts</param>
public sealed record StatementRow(string Partition, string PaymentIntegratorAccountId, string StatementId, string Api, string State,
    RemittanceSummary Summary, DateTimeOffset NotifiedAt, DateTimeOffset UpdatedAt, long NextOffset)
{
    public int PagesFetched { get; init; }
    public long EventsCounted { get; init; }
    /// <summary>Counts and sums per event array (<see cref="StatementTotals"/> as JSON).</summary>
    public string Totals { get; init; } = "{}";
    public long DiscrepancyCount { get; init; }
    /// <summary>The statement-wide discrepancies (count, totals, summary, missing movements): JSON array of strings.</summary>
    public string? StatementDiscrepancies { get; init; }
    /// <summary>Every page fetched and every check run.</summary>
    public bool Reconciled { get; init; }
    public string? Reason { get; init; }
    public string? AcceptedBy { get; init; }
    public string? AcceptReason { get; init; }
    public DateTimeOffset? AcceptedAt { get; init; }
    /// <summary>A delivery is sending acceptRemittanceStatement until then; the others leave it to it.</summary>
    public DateTimeOffset? AcceptClaimedUntil { get; init; }
    public ETag ETag { get; init; }

    public StatementRef Ref => new(PaymentIntegratorAccountId, StatementId, Api);

    public TableEntity ToEntity()
    {
        var e = new TableEntity(Partition, StatementKeys.StateRow(Partition))
        {
            ["Kind"] = "Statement",
            [nameof(PaymentIntegratorAccountId)] = PaymentIntegratorAccountId,
            [nameof(StatementId)] = StatementId,
            [nameof(Api)] = Api,
            [nameof(State)] = State,
            ["StatementDate"] = Summary.StatementDate,
            ["BillingPeriodStart"] = Summary.BillingPeriodStart,
            ["BillingPeriodEnd"] = Summary.BillingPeriodEnd,
            ["CurrencyCode"] = Summary.CurrencyCode,
            ["TotalDueByIntegratorMicros"] = Summary.TotalDueByIntegratorMicros,
            [nameof(NotifiedAt)] = NotifiedAt,
            [nameof(UpdatedAt)] = UpdatedAt,
            [nameof(NextOffset)] = NextOffset,
            [nameof(PagesFetched)] = PagesFetched,
            [nameof(EventsCounted)] = EventsCounted,
            [nameof(Totals)] = Totals,
            [nameof(DiscrepancyCount)] = DiscrepancyCount,
            [nameof(Reconciled)] = Reconciled,
        };
        e.SetIfPresent("DateDue", Summary.DateDue);
        e.SetIfPresent("TotalEvents", Summary.TotalEvents);
        e.SetIfPresent("MemoLineId", Summary.MemoLineId);
        e.SetIfPresent(nameof(StatementDiscrepancies), StatementDiscrepancies);
        e.SetIfPresent(nameof(Reason), Reason);
        e.SetIfPresent(nameof(AcceptedBy), AcceptedBy);
        e.SetIfPresent(nameof(AcceptReason), AcceptReason);
        e.SetIfPresent(nameof(AcceptedAt), AcceptedAt);
        e.SetIfPresent(nameof(AcceptClaimedUntil), AcceptClaimedUntil);
        return e;
    }

    public static StatementRow From(TableEntity e) =>
        new(e.PartitionKey, e.GetString(nameof(PaymentIntegratorAccountId)), e.GetString(nameof(StatementId)), e.GetString(nameof(Api)),
            e.GetString(nameof(State)),
            new RemittanceSummary(e.GetDateTimeOffset("StatementDate") ?? default, e.GetDateTimeOffset("BillingPeriodStart") ?? default,
                e.GetDateTimeOffset("BillingPeriodEnd") ?? default, e.GetDateTimeOffset("DateDue"), e.GetString("CurrencyCode"),
                e.GetInt64("TotalDueByIntegratorMicros") ?? 0, e.GetInt64("TotalEvents"), e.GetString("MemoLineId")),
            e.GetDateTimeOffset(nameof(NotifiedAt)) ?? default, e.GetDateTimeOffset(nameof(UpdatedAt)) ?? default, e.GetInt64(nameof(NextOffset)) ?? 0)
        {
            PagesFetched = e.GetInt32(nameof(PagesFetched)) ?? 0,
            EventsCounted = e.GetInt64(nameof(EventsCounted)) ?? 0,
            Totals = e.GetString(nameof(Totals)) ?? "{}",
            DiscrepancyCount = e.GetInt64(nameof(DiscrepancyCount)) ?? 0,
            StatementDiscrepancies = e.GetString(nameof(StatementDiscrepancies)),
            Reconciled = e.GetBoolean(nameof(Reconciled)) ?? false,
            Reason = e.GetString(nameof(Reason)),
            AcceptedBy = e.GetString(nameof(AcceptedBy)),
            AcceptReason = e.GetString(nameof(AcceptReason)),
            AcceptedAt = e.GetDateTimeOffset(nameof(AcceptedAt)),
            AcceptClaimedUntil = e.GetDateTimeOffset(nameof(AcceptClaimedUntil)),
            ETag = e.ETag,
        };

    /// <summary>The whole row as a merge, conditional on the ETag it was read with.</summary>
    public TableTransactionAction Merge() => new(TableTransactionActionType.UpdateMerge, ToEntity(), ETag);
}
