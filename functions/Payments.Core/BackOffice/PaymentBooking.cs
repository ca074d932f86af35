namespace Payments.Core.BackOffice;

/// <summary>A synchronous capture, booked as a posted payment.</summary>
/// <param name="BackOfficeCode">deterministic, derived from the capture request (unique per booking)</param>
/// <param name="Notes">what the payment is, for the back office's users</param>
public sealed record PaymentBooking(string BackOfficeCode, string PaymentIntegratorAccountId, long AmountMicros, string CurrencyCode, string Notes);
