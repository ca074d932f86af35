using Azure;
using Azure.Data.Tables;
using Payments.Core.Idempotency;

namespace Payments.Core.Transactions;

/// <summary>The state of a funds reservation, row <c>state|{digest}</c> of partition <c>{PIAID}|rf|{requestId}</c>
/// (docs/storage.md). Its property names and types are declared here, once, with the one mapping; its one merge
/// names the properties it changes. The amount is Int64 micros.</summary>
public sealed record FundsReservationRow(string Partition, string Status, string PaymentIntegratorAccountId, string ReserveRequestId,
    string PaymentIntegratorTransactionId, long AmountMicros, string CurrencyCode, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt)
{
    /// <summary>What the row is: every funds reservation stores "FundsReservation".</summary>
    public string Kind => "FundsReservation";

    public DateTimeOffset? CancelledAt { get; init; }
    /// <summary>The captureFundsReservation requestId that captured it.</summary>
    public string? CaptureRequestId { get; init; }
    public DateTimeOffset? CapturedAt { get; init; }
    /// <summary>As read: the ETag a conditional merge needs.</summary>
    public ETag ETag { get; init; }

    private const string KindName = nameof(Kind), StatusName = nameof(Status), PaymentIntegratorAccountIdName = nameof(PaymentIntegratorAccountId),
        ReserveRequestIdName = nameof(ReserveRequestId), PaymentIntegratorTransactionIdName = nameof(PaymentIntegratorTransactionId),
        AmountMicrosName = nameof(AmountMicros), CurrencyCodeName = nameof(CurrencyCode), CreatedAtName = nameof(CreatedAt),
        ExpiresAtName = nameof(ExpiresAt), CancelledAtName = nameof(CancelledAt),
        CaptureRequestIdName = nameof(CaptureRequestId), CapturedAtName = nameof(CapturedAt);

    public string Row => Keys.StateRow(Partition);

    /// <summary>The whole row (the insert that creates it).</summary>
    public TableEntity ToEntity()
    {
        var entity = new TableEntity(Partition, Row)
        {
            [KindName] = Kind, [StatusName] = Status, [PaymentIntegratorAccountIdName] = PaymentIntegratorAccountId,
            [ReserveRequestIdName] = ReserveRequestId, [PaymentIntegratorTransactionIdName] = PaymentIntegratorTransactionId,
            [AmountMicrosName] = AmountMicros, [CurrencyCodeName] = CurrencyCode, [CreatedAtName] = CreatedAt, [ExpiresAtName] = ExpiresAt,
        };
        if (CancelledAt is { } at) entity[CancelledAtName] = at;
        if (CaptureRequestId is { } capture) entity[CaptureRequestIdName] = capture;
        if (CapturedAt is { } captured) entity[CapturedAtName] = captured;
        return entity;
    }

    public static FundsReservationRow From(TableEntity e) =>
        new(e.PartitionKey, e.GetString(StatusName) ?? "", e.GetString(PaymentIntegratorAccountIdName) ?? "", e.GetString(ReserveRequestIdName) ?? "",
            e.GetString(PaymentIntegratorTransactionIdName) ?? "", e.GetInt64(AmountMicrosName) ?? 0, e.GetString(CurrencyCodeName) ?? "",
            e.GetDateTimeOffset(CreatedAtName) ?? DateTimeOffset.MinValue, e.GetDateTimeOffset(ExpiresAtName) ?? DateTimeOffset.MinValue)
        {
            CancelledAt = e.GetDateTimeOffset(CancelledAtName), CaptureRequestId = e.GetString(CaptureRequestIdName),
            CapturedAt = e.GetDateTimeOffset(CapturedAtName), ETag = e.ETag,
        };

    public bool IsExpired(DateTimeOffset now) => now >= ExpiresAt;

    /// <summary>The merge of a cancellation: <c>Status</c> and <c>CancelledAt</c>, nothing else.</summary>
    public TableEntity CancelledMerge() => new(Partition, Row) { [StatusName] = Status, [CancelledAtName] = CancelledAt };

    /// <summary>The merge of a capture (or of a declined one given back): <c>Status</c>, <c>CaptureRequestId</c>, <c>CapturedAt</c>.</summary>
    public TableEntity CapturedMerge() => new(Partition, Row) { [StatusName] = Status, [CaptureRequestIdName] = CaptureRequestId, [CapturedAtName] = CapturedAt };
}
