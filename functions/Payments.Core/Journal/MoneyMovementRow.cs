using Azure.Data.Tables;
using Payments.Core.Storage;

namespace Payments.Core.Journal;

/// <summary>The authoritative record of a movement: row <c>mv|{eventRequestId}</c> in the partition of the
/// transaction whose state change moved the money, written in the same batch as that change. Its property
/// names and types are declared here, once, with the one mapping (amounts Int64 micros).</summary>
public static class MoneyMovementRow
{
    private const string KindName = "Kind", AccountName = "PaymentIntegratorAccountId", EventRequestIdName = "EventRequestId",
        EventIdName = "PaymentIntegratorEventId", MovementName = "Movement", AmountName = "AmountMicros", CurrencyName = "CurrencyCode",
        AtName = "At", ApiName = "Api", ReferenceNumberName = "ReferenceNumber", CaptureRequestIdName = "CaptureRequestId";

    /// <summary>What every such row stores as its kind.</summary>
    public const string Kind = "MoneyMovement";

    public static string RowKey(string eventRequestId) => "mv|" + TableKeys.Escape(eventRequestId);

    public static TableEntity ToEntity(MoneyMovement m)
    {
        var e = new TableEntity(m.Partition, RowKey(m.EventRequestId))
        {
            [KindName] = Kind,
            [AccountName] = m.PaymentIntegratorAccountId,
            [EventRequestIdName] = m.EventRequestId,
            [EventIdName] = m.PaymentIntegratorEventId,
            [MovementName] = m.Kind.ToString(),
            [AmountName] = m.AmountMicros,
            [CurrencyName] = m.CurrencyCode,
            [AtName] = m.At,
            [ApiName] = m.Api,
        };
        e.SetIfPresent(ReferenceNumberName, m.ReferenceNumber);
        e.SetIfPresent(CaptureRequestIdName, m.CaptureRequestId);
        return e;
    }

    public static MoneyMovement From(TableEntity e) =>
        new(e.GetString(AccountName), e.GetString(EventRequestIdName), e.GetString(EventIdName),
            Enum.Parse<MoneyMovementKind>(e.GetString(MovementName)), e.GetInt64(AmountName) ?? 0, e.GetString(CurrencyName),
            e.GetDateTimeOffset(AtName) ?? default, e.GetString(ApiName), e.PartitionKey)
        {
            ReferenceNumber = e.GetString(ReferenceNumberName),
            CaptureRequestId = e.GetString(CaptureRequestIdName),
        };
}
