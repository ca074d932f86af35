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

    /// <summary>Books a synchronous capture as a posted payment; idempotent by its code like a refund.</summary>
    Task<BookingOutcome> BookPaymentAsync(PaymentBooking booking, CancellationToken cancellationToken);
}
