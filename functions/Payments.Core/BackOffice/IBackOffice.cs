namespace Payments.Core.BackOffice;

/// <summary>
/// The integrator's back office, where money movements are booked (docs/backoffice.md).
/// Implementations are idempotent by <see cref="BackOfficeBooking.BackOfficeCode"/>: booking the same
/// code twice never creates a second booking, it returns the first one.
/// </summary>
public interface IBackOffice
{
    /// <summary>Books a refund of a paid reference number. Business refusals come back as
    /// <see cref="BookingOutcome.Declined"/>; faults (transport, 5xx, unclear) are thrown as
    /// <see cref="BackOfficeFaultException"/> and retried by the caller.</summary>
    Task<BookingOutcome> BookRefundAsync(RefundBooking booking, CancellationToken cancellationToken);
}

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
    string Reason);

public abstract record BookingOutcome
{
    public sealed record Booked(string BookingId) : BookingOutcome;
    /// <param name="RefundResult">the GSP refund decline code to notify, e.g. NO_MONEY_LEFT_ON_TRANSACTION</param>
    public sealed record Declined(string RefundResult, string BackOfficeCode, string? Message) : BookingOutcome;
}

/// <param name="unavailable">the back office did not answer usefully (timeout, transport error, 5xx, login failed):
/// down for every booking, not a problem of this one</param>
public sealed class BackOfficeFaultException(string message, Exception? inner = null, bool unavailable = false) : Exception(message, inner)
{
    public bool Unavailable { get; } = unavailable;
}
