using Azure;
using Azure.Data.Tables;
using Payments.Core.Idempotency;

namespace Payments.Core.Transactions;

/// <summary>A capture, row <c>cap|{captureRequestId}</c> of its transaction's partition (a funds reservation's, a
/// mandate's, or a token capture's own; docs/storage.md). Refunds find it by (PIAID, captureRequestId) and move
/// <see cref="RefundedMicros"/> under its ETag, so their sum never exceeds <see cref="AmountMicros"/>. Its property
/// names and types are declared here, once, with the one mapping; amounts are Int64 micros.</summary>
/// <param name="CaptureId">our id for the capture (paymentIntegratorCaptureId / paymentIntegratorTransactionId)</param>
/// <param name="Api">the family and version of the capture call, e.g. "e-wallets-v1"</param>
public sealed record CaptureRow(string Partition, string CaptureRequestId, string Status, string PaymentIntegratorAccountId, string CaptureId,
    string Api, long AmountMicros, string CurrencyCode, long RefundedMicros, DateTimeOffset CreatedAt)
{
    /// <summary>As read: the ETag a conditional merge needs.</summary>
    public ETag ETag { get; init; }

    private const string StatusName = nameof(Status), CaptureRequestIdName = nameof(CaptureRequestId),
        PaymentIntegratorAccountIdName = nameof(PaymentIntegratorAccountId), CaptureIdName = nameof(CaptureId), ApiName = nameof(Api),
        AmountMicrosName = nameof(AmountMicros), CurrencyCodeName = nameof(CurrencyCode), RefundedMicrosName = nameof(RefundedMicros),
        CreatedAtName = nameof(CreatedAt);

    public string Row => Keys.CaptureRow(CaptureRequestId);
    public long RemainingMicros => AmountMicros - RefundedMicros;

    /// <summary>The whole row (the insert that creates it).</summary>
    public TableEntity ToEntity() => new(Partition, Row)
    {
        [StatusName] = Status, [CaptureRequestIdName] = CaptureRequestId, [PaymentIntegratorAccountIdName] = PaymentIntegratorAccountId,
        [CaptureIdName] = CaptureId, [ApiName] = Api, [AmountMicrosName] = AmountMicros, [CurrencyCodeName] = CurrencyCode,
        [RefundedMicrosName] = RefundedMicros, [CreatedAtName] = CreatedAt,
    };

    public static CaptureRow From(TableEntity e) =>
        new(e.PartitionKey, e.GetString(CaptureRequestIdName) ?? "", e.GetString(StatusName) ?? "", e.GetString(PaymentIntegratorAccountIdName) ?? "",
            e.GetString(CaptureIdName) ?? "", e.GetString(ApiName) ?? "", e.GetInt64(AmountMicrosName) ?? 0, e.GetString(CurrencyCodeName) ?? "",
            e.GetInt64(RefundedMicrosName) ?? 0, e.GetDateTimeOffset(CreatedAtName) ?? DateTimeOffset.MinValue)
        { ETag = e.ETag };

    /// <summary>The merge of a refund (or of a declined refund given back): <c>RefundedMicros</c>, nothing else.</summary>
    public TableEntity RefundedMerge() => new(Partition, Row) { [RefundedMicrosName] = RefundedMicros };

    /// <summary>The merge of the booking's answer: <c>Status</c>, nothing else.</summary>
    public TableEntity StatusMerge() => new(Partition, Row) { [StatusName] = Status };
}
