namespace Payments.Core.BackOffice;

public abstract record BookingOutcome
{
    public sealed record Booked(string BookingId) : BookingOutcome;
    /// <param name="RefundResult">the GSP refund decline code to notify, e.g. NO_MONEY_LEFT_ON_TRANSACTION</param>
    public sealed record Declined(string RefundResult, string BackOfficeCode, string? Message) : BookingOutcome;
}
