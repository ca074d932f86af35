using Azure.Data.Tables;

namespace Payments.Core.Journal;

/// <summary>The money-movement journal. STAND-IN on this branch, coded against the journal's API until the
/// journal itself lands: the authoritative row is real, the lookup index and the reads are not here.</summary>
public sealed class MoneyJournal
{
    /// <summary>The authoritative record: an Add of row "mv|{EventRequestId}" in movement.Partition, in the
    /// same batch as the state change that moves the money.</summary>
    public static TableTransactionAction Record(MoneyMovement movement)
    {
        ArgumentNullException.ThrowIfNull(movement);
        var entity = new TableEntity(movement.Partition, "mv|" + movement.EventRequestId)
        {
            ["PaymentIntegratorAccountId"] = movement.PaymentIntegratorAccountId,
            ["EventRequestId"] = movement.EventRequestId,
            ["PaymentIntegratorEventId"] = movement.PaymentIntegratorEventId,
            ["Kind"] = movement.Kind.ToString(),
            ["AmountMicros"] = movement.AmountMicros,
            ["CurrencyCode"] = movement.CurrencyCode,
            ["At"] = movement.At,
            ["Api"] = movement.Api,
        };
        if (movement.ReferenceNumber is { } number) entity["ReferenceNumber"] = number;
        if (movement.CaptureRequestId is { } capture) entity["CaptureRequestId"] = capture;
        return new TableTransactionAction(TableTransactionActionType.Add, entity);
    }

    /// <summary>The lookup rows (table <c>journal</c>) before the commit; not in the stand-in.</summary>
    public Task IndexAsync(MoneyMovement movement, CancellationToken cancellationToken) => Task.CompletedTask;
}
