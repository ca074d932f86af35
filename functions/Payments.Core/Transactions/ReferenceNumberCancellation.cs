using Azure.Data.Tables;

namespace Payments.Core.Transactions;

/// <summary>The state rule both cancelReferenceNumber versions apply (docs/protocol.md §6): only the answer's
/// wire form differs between them.</summary>
internal static class ReferenceNumberCancellation
{
    /// <returns>whether the number was paid already (nothing to write), and else the writes that make it cancelled
    /// (none when it is cancelled already)</returns>
    public static (bool AlreadyPaid, IReadOnlyList<TableTransactionAction> Writes) Decide(ReferenceNumberRow state, DateTimeOffset now)
    {
        // Paid: its paid notification was queued in the payment's own commit, so it is on its way already.
        if (state.Status == ReferenceNumberStatus.Paid) return (true, []);
        if (state.Status == ReferenceNumberStatus.Cancelled) return (false, []);

        // Active, expired or not: mark it cancelled, so that a payment reported late can never
        // succeed after Google was told the number is cancelled.
        var cancelled = state with { Status = ReferenceNumberStatus.Cancelled, CancelledAt = now };
        return (false, [new TableTransactionAction(TableTransactionActionType.UpdateMerge, cancelled.CancelledMerge(), state.ETag)]);
    }
}
