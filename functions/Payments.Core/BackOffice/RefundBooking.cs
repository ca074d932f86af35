namespace Payments.Core.BackOffice;

/// <param name="BackOfficeCode">deterministic, derived from the protocol request (unique per booking)</param>
/// <param name="PaymentReferenceNumber">our reference number, which is the posted payment's reference_number</param>
/// <param name="WholeRemaining">true when the refund is the whole paid amount: cancel the posted payment</param>
public sealed record RefundBooking(
    string BackOfficeCode,
    string PaymentIntegratorAccountId,
    string PaymentReferenceNumber,
    long AmountMicros,
    string CurrencyCode,
    bool WholeRemaining,
    string Reason)
{
    /// <summary>The refunded payment's back_office_code (a synchronous capture's booking), used instead of the reference number.</summary>
    public string? PaymentBackOfficeCode { get; init; }
}
