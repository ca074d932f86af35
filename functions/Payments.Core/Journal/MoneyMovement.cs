namespace Payments.Core.Journal;

/// <summary>One money movement, as a remittance statement will carry it.</summary>
/// <param name="EventRequestId">Google's requestId of the call that moved the money</param>
/// <param name="PaymentIntegratorEventId">our id for it (capture id, transaction id or refund id)</param>
/// <param name="AmountMicros">&gt; 0, in <paramref name="CurrencyCode"/></param>
/// <param name="At">when we committed it (the decision's time)</param>
/// <param name="Api">the family and version, e.g. "redirect-payment-token-v1"</param>
/// <param name="Partition">the transactions-table partition that holds the authoritative row</param>
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
    /// <summary>A paid number's reference number (matched as an alternate id).</summary>
    public string? ReferenceNumber { get; init; }
    /// <summary>A refund: the capture / generate requestId it refunds.</summary>
    public string? CaptureRequestId { get; init; }
}
