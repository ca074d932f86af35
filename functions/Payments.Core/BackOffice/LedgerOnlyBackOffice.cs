namespace Payments.Core.BackOffice;

/// <summary>
/// <c>BackOffice:Provider=None</c> (the default): there is no external back office; our own Table ledger is the
/// system of record, so every booking completes at once as <c>ledger:{back_office_code}</c> (idempotent by nature).
/// </summary>
public sealed class LedgerOnlyBackOffice : IBackOffice
{
    public const string BookingIdPrefix = "ledger:";

    public Task<BookingOutcome> BookRefundAsync(RefundBooking booking, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(booking);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<BookingOutcome>(new BookingOutcome.Booked(BookingIdPrefix + booking.BackOfficeCode));
    }

    public Task<BookingOutcome> BookPaymentAsync(PaymentBooking booking, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(booking);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<BookingOutcome>(new BookingOutcome.Booked(BookingIdPrefix + booking.BackOfficeCode));
    }
}
