namespace Payments.Core.Transactions;

/// <summary>Asynchronous work a call started (an outbox entry): a row <c>op|…</c> in the
/// transaction's partition, committed together with the state change that caused it.</summary>
public static class OperationKinds
{
    /// <summary>asynchronousRefund: book in the back office, then refundResultNotification.</summary>
    public const string Refund = "Refund";
    /// <summary>cancelFundsReservation: release, then cancelFundsReservationResultNotification.</summary>
    public const string ReservationCancellation = "ReservationCancellation";
    /// <summary>A store payment: referenceNumberPaidNotification.</summary>
    public const string ReferenceNumberPaid = "ReferenceNumberPaid";
    /// <summary>A remittance statement: fetch and reconcile its pages, then acceptRemittanceStatement.</summary>
    public const string Statement = "Statement";
    /// <summary>A synchronous capture (captureFundsReservation, e-wallets capture) being booked in the back office.</summary>
    public const string CaptureBooking = "CaptureBooking";
    /// <summary>A synchronous refund (redirect-payment-token and e-wallets refund) being booked in the back office.</summary>
    public const string RefundBooking = "RefundBooking";
}
