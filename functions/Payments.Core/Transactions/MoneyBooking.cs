namespace Payments.Core.Transactions;

/// <summary>What the back office books for a synchronous money movement (docs/backoffice.md).</summary>
/// <param name="Kind"><see cref="OperationKinds.CaptureBooking"/> or <see cref="OperationKinds.RefundBooking"/></param>
/// <param name="CaptureRequestId">the capture booked, or refunded</param>
/// <param name="WholeRemaining">a refund of the whole captured amount: the back office cancels the payment</param>
public sealed record MoneyBooking(string Kind, string CaptureRequestId, bool WholeRemaining = false);
