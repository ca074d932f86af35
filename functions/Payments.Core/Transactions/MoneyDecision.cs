using Azure.Data.Tables;
using Payments.Core.Journal;

namespace Payments.Core.Transactions;

/// <summary>A synchronous money movement decided: its SUCCESS answer, the state changes that move the money, and the
/// journal's movement.</summary>
/// <param name="Booking">what the back office books for it</param>
public sealed record MoneyDecision(string Payload, IReadOnlyList<TableTransactionAction> Actions, MoneyMovement Movement, MoneyBooking Booking);
