namespace Payments.Core.Transactions;

/// <summary>What the back office books for a synchronous money movement (docs/backoffice.md).</summary>
/// <param name="Kind"><see cref="OperationKinds.CaptureBooking"/> or <see cref="OperationKinds.RefundBooking"/></param>
/// <param name="BackOfficeCode">derived from the protocol request (<see cref="Operations.BackOfficeCode"/>)</param>
/// <param name="PaymentReference">the capture's id, which is the posted payment's reference_number</param>
/// <param name="WholeRemaining">a refund of the whole captured amount: the back office cancels the payment</param>
public sealed record MoneyBooking(string Kind, string BackOfficeCode, string PaymentReference, long AmountMicros, string CurrencyCode, bool WholeRemaining = false);
