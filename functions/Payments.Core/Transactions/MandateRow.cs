using Azure;
using Azure.Data.Tables;
using Payments.Core.Storage;
using Payments.Core.Idempotency;

namespace Payments.Core.Transactions;

/// <summary>The state of a mandate, row <c>state|{digest}</c> of partition <c>{PIAID}|md|{mandateId}</c>
/// (docs/storage.md). Its property names and types are declared here, once, with the one mapping; its one merge
/// names the properties it changes. The maximum amount is Int64 micros; properties without a value are not stored.</summary>
public sealed record MandateRow(string Partition, string Status, string PaymentIntegratorAccountId, string MandateId, string CreateRequestId,
    string? Name, string? Frequency, long? MaximumAmountMicros, string? CurrencyCode, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt,
    DateTimeOffset CreatedAt)
{
    /// <summary>What the row is: every mandate stores "Mandate".</summary>
    public string Kind => "Mandate";

    public DateTimeOffset? CancelledAt { get; init; }
    /// <summary>The frequency period of the latest charge (docs/protocol.md §12: "2026-12-07" daily, "2026-12" monthly).</summary>
    public string? ChargePeriod { get; init; }
    /// <summary>Charges counted in <see cref="ChargePeriod"/>.</summary>
    public int? ChargesInPeriod { get; init; }
    public DateTimeOffset? LastChargedAt { get; init; }
    /// <summary>As read: the ETag a conditional merge needs.</summary>
    public ETag ETag { get; init; }

    private const string KindName = nameof(Kind), StatusName = nameof(Status), PaymentIntegratorAccountIdName = nameof(PaymentIntegratorAccountId),
        MandateIdName = nameof(MandateId), CreateRequestIdName = nameof(CreateRequestId), NameName = nameof(Name), FrequencyName = nameof(Frequency),
        MaximumAmountMicrosName = nameof(MaximumAmountMicros), CurrencyCodeName = nameof(CurrencyCode), StartsAtName = nameof(StartsAt),
        EndsAtName = nameof(EndsAt), CreatedAtName = nameof(CreatedAt), CancelledAtName = nameof(CancelledAt),
        ChargePeriodName = nameof(ChargePeriod), ChargesInPeriodName = nameof(ChargesInPeriod), LastChargedAtName = nameof(LastChargedAt);

    public string Row => Keys.StateRow(Partition);

    public bool IsExpired(DateTimeOffset now) => EndsAt is { } ends && now >= ends;

    /// <summary>The whole row (the insert that creates it): every property that has a value.</summary>
    public TableEntity ToEntity()
    {
        var entity = new TableEntity(Partition, Row)
        {
            [KindName] = Kind, [StatusName] = Status, [PaymentIntegratorAccountIdName] = PaymentIntegratorAccountId,
            [MandateIdName] = MandateId, [CreateRequestIdName] = CreateRequestId, [CreatedAtName] = CreatedAt,
        };
        entity.SetIfPresent(NameName, Name);
        entity.SetIfPresent(FrequencyName, Frequency);
        entity.SetIfPresent(MaximumAmountMicrosName, MaximumAmountMicros);
        entity.SetIfPresent(CurrencyCodeName, CurrencyCode);
        entity.SetIfPresent(StartsAtName, StartsAt);
        entity.SetIfPresent(EndsAtName, EndsAt);
        entity.SetIfPresent(CancelledAtName, CancelledAt);
        entity.SetIfPresent(ChargePeriodName, ChargePeriod);
        entity.SetIfPresent(ChargesInPeriodName, ChargesInPeriod);
        entity.SetIfPresent(LastChargedAtName, LastChargedAt);
        return entity;
    }

    public static MandateRow From(TableEntity e) =>
        new(e.PartitionKey, e.GetString(StatusName) ?? "", e.GetString(PaymentIntegratorAccountIdName) ?? "", e.GetString(MandateIdName) ?? "",
            e.GetString(CreateRequestIdName) ?? "", e.GetString(NameName), e.GetString(FrequencyName), e.GetInt64(MaximumAmountMicrosName),
            e.GetString(CurrencyCodeName), e.GetDateTimeOffset(StartsAtName), e.GetDateTimeOffset(EndsAtName),
            e.GetDateTimeOffset(CreatedAtName) ?? DateTimeOffset.MinValue)
        {
            CancelledAt = e.GetDateTimeOffset(CancelledAtName), ChargePeriod = e.GetString(ChargePeriodName),
            ChargesInPeriod = e.GetInt32(ChargesInPeriodName), LastChargedAt = e.GetDateTimeOffset(LastChargedAtName), ETag = e.ETag,
        };

    /// <summary>Whether the mandate may be charged at <paramref name="now"/>: active, started and not ended.</summary>
    public bool IsChargeable(DateTimeOffset now) => Status == MandateStatus.Active && !IsExpired(now) && (StartsAt is not { } starts || now >= starts);

    /// <summary>The merge of a cancellation: <c>Status</c> and <c>CancelledAt</c>, nothing else.</summary>
    public TableEntity CancelledMerge() => new(Partition, Row) { [StatusName] = Status, [CancelledAtName] = CancelledAt };

    /// <summary>The merge of a charge (or of a declined one given back): the period counters, nothing else.</summary>
    public TableEntity ChargedMerge() => new(Partition, Row)
    {
        [ChargePeriodName] = ChargePeriod ?? "", [ChargesInPeriodName] = ChargesInPeriod ?? 0, [LastChargedAtName] = LastChargedAt,
    };
}
