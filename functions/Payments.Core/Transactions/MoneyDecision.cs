using Azure.Data.Tables;
using Payments.Core.Journal;

namespace Payments.Core.Transactions;

/// <summary>A synchronous money movement decided: its SUCCESS answer, the state changes that move the money, the
/// capture it creates (a capture) or refunds (a refund), and the journal's movement.</summary>
/// <param name="Actions">the state changes (a reservation or mandate merge, a capture row's refunded amount)</param>
/// <param name="NewCapture">the capture row a capture adds (its status is the commit's to set); null for a refund</param>
/// <param name="Booking">what the back office books for it</param>
public sealed record MoneyDecision(string Payload, IReadOnlyList<TableTransactionAction> Actions, CaptureRow? NewCapture, MoneyMovement Movement,
    MoneyBooking Booking);
