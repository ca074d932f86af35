namespace Payments.Core.Settlement;

/// <summary>
/// One event of a statement page, as Google sent it. Amounts in micros of the statement currency, signed as
/// Google signs them (positive: the integrator owes Google — a capture; negative: Google owes — a refund).
/// </summary>
/// <param name="Array">the JSON array it came in: "captureEvents", "refundEvents", "reverseRefundEvents",
/// "chargebackEvents", "reverseChargebackEvents", "adjustmentEvents", or any other array name (kept, never dropped)</param>
/// <param name="CurrencyCode">v2 Amount currency; v1: null (the statement currency)</param>
public sealed record StatementEvent(string Array, string? EventRequestId, string? PaymentIntegratorEventId,
    long? ChargeMicros, long? FeeMicros, string? CurrencyCode);
