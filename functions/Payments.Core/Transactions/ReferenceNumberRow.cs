using Azure;
using Azure.Data.Tables;
using Payments.Core.Storage;
using Payments.Core.Idempotency;

namespace Payments.Core.Transactions;

/// <summary>The state of a reference number, row <c>state|{digest}</c> of partition <c>{PIAID}|rn|{requestId}</c>
/// (docs/storage.md). Its property names and types are declared here, once, with the one mapping; every merge
/// names the properties it changes. Amounts are Int64 micros, the version Int32.</summary>
/// <param name="Api">the generating call's API family and <paramref name="Version"/>: which paid notification it gets</param>
/// <param name="RefundedMicros">the sum of acknowledged refunds not declined; the refundable balance is
/// <paramref name="PaidMicros"/> − this</param>
public sealed record ReferenceNumberRow(string Partition, string Status, string PaymentIntegratorAccountId, string GenerateRequestId,
    string Api, int Version, string ReferenceNumber, long AmountMicros, string CurrencyCode, string Description,
    DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, long PaidMicros, long RefundedMicros)
{
    /// <summary>What the row is: every reference number stores "ReferenceNumber".</summary>
    public string Kind => "ReferenceNumber";

    public DateTimeOffset? PaidAt { get; init; }
    /// <summary>The store's transaction that paid it.</summary>
    public string? PaymentIntegratorTransactionId { get; init; }
    public DateTimeOffset? CancelledAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    /// <summary>As read: the ETag a conditional merge needs.</summary>
    public ETag ETag { get; init; }

    private const string KindName = nameof(Kind), StatusName = nameof(Status), PaymentIntegratorAccountIdName = nameof(PaymentIntegratorAccountId),
        GenerateRequestIdName = nameof(GenerateRequestId), ApiName = nameof(Api), VersionName = nameof(Version),
        ReferenceNumberName = nameof(ReferenceNumber), AmountMicrosName = nameof(AmountMicros), CurrencyCodeName = nameof(CurrencyCode),
        DescriptionName = nameof(Description), CreatedAtName = nameof(CreatedAt), ExpiresAtName = nameof(ExpiresAt),
        PaidMicrosName = nameof(PaidMicros), RefundedMicrosName = nameof(RefundedMicros), PaidAtName = nameof(PaidAt),
        PaymentIntegratorTransactionIdName = nameof(PaymentIntegratorTransactionId), CancelledAtName = nameof(CancelledAt),
        UpdatedAtName = nameof(UpdatedAt);

    public string Row => Keys.StateRow(Partition);

    public bool IsExpired(DateTimeOffset now) => ExpiresAt is { } expires && now >= expires;

    /// <summary>The whole row (the insert that creates it): every property that has a value.</summary>
    public TableEntity ToEntity()
    {
        var entity = new TableEntity(Partition, Row)
        {
            [KindName] = Kind, [StatusName] = Status, [PaymentIntegratorAccountIdName] = PaymentIntegratorAccountId,
            [GenerateRequestIdName] = GenerateRequestId, [ApiName] = Api, [VersionName] = Version, [ReferenceNumberName] = ReferenceNumber,
            [AmountMicrosName] = AmountMicros, [CurrencyCodeName] = CurrencyCode, [DescriptionName] = Description, [CreatedAtName] = CreatedAt,
            [PaidMicrosName] = PaidMicros, [RefundedMicrosName] = RefundedMicros,
        };
        entity.SetIfPresent(ExpiresAtName, ExpiresAt);
        entity.SetIfPresent(PaidAtName, PaidAt);
        entity.SetIfPresent(PaymentIntegratorTransactionIdName, PaymentIntegratorTransactionId);
        entity.SetIfPresent(CancelledAtName, CancelledAt);
        entity.SetIfPresent(UpdatedAtName, UpdatedAt);
        return entity;
    }

    public static ReferenceNumberRow From(TableEntity e) =>
        new(e.PartitionKey, e.GetString(StatusName) ?? "", e.GetString(PaymentIntegratorAccountIdName) ?? "", e.GetString(GenerateRequestIdName) ?? "",
            e.GetString(ApiName) ?? "", e.GetInt32(VersionName) ?? 0, e.GetString(ReferenceNumberName) ?? "", e.GetInt64(AmountMicrosName) ?? 0,
            e.GetString(CurrencyCodeName) ?? "", e.GetString(DescriptionName) ?? "", e.GetDateTimeOffset(CreatedAtName) ?? DateTimeOffset.MinValue,
            e.GetDateTimeOffset(ExpiresAtName), e.GetInt64(PaidMicrosName) ?? 0, e.GetInt64(RefundedMicrosName) ?? 0)
        {
            PaidAt = e.GetDateTimeOffset(PaidAtName),
            PaymentIntegratorTransactionId = e.GetString(PaymentIntegratorTransactionIdName),
            CancelledAt = e.GetDateTimeOffset(CancelledAtName),
            UpdatedAt = e.GetDateTimeOffset(UpdatedAtName),
            ETag = e.ETag,
        };

    /// <summary>The merge of a cancellation.</summary>
    public TableEntity CancelledMerge() => Merge(StatusName, CancelledAtName);

    /// <summary>The merge of the payment at a store.</summary>
    public TableEntity PaidMerge() => Merge(StatusName, PaidMicrosName, PaidAtName, PaymentIntegratorTransactionIdName, UpdatedAtName);

    /// <summary>The merge of a refund taken from (or, declined, given back to) the balance.</summary>
    public TableEntity RefundedMerge() => Merge(RefundedMicrosName, UpdatedAtName);

    private TableEntity Merge(params string[] changed) => TableCalls.MergeOf(ToEntity(), changed);
}
