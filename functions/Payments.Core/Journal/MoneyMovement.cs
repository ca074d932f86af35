namespace Payments.Core.Journal;

/// <summary>One money movement with the ids a remittance statement carries for it (docs/storage.md, "The
/// money journal").</summary>
/// <param name="EventRequestId">Google's requestId of the call that moved the money: the generateReferenceNumber
/// call of a paid reference number, the capture call, the refund call</param>
/// <param name="PaymentIntegratorEventId">our id for it, as Google was told: the store's transaction id of a paid
/// number, our capture or transaction id of a capture, our refund id of a refund</param>
/// <param name="AmountMicros">above zero, in <paramref name="CurrencyCode"/></param>
/// <param name="At">when we committed it</param>
/// <param name="Api">the family and version of the call, e.g. "redirect-payment-token-v1"</param>
/// <param name="Partition">the transaction partition holding the authoritative record</param>
public sealed record MoneyMovement(
    string PaymentIntegratorAccountId,
    string EventRequestId,
    string PaymentIntegratorEventId,
    MoneyMovementKind Kind,
    long AmountMicros,
    string CurrencyCode,
    DateTimeOffset At,
    string Api,
    string Partition)
{
    /// <summary>A paid number's reference number: a statement may name the payment by it.</summary>
    public string? ReferenceNumber { get; init; }
    /// <summary>A refund: the requestId of the capture (or generateReferenceNumber call) it gives money back from.</summary>
    public string? CaptureRequestId { get; init; }
}
