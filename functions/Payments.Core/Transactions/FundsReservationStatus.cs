using System.Text.Json.Serialization.Metadata;

namespace Payments.Core.Transactions;

public static class FundsReservationStatus
{
    public const string Reserved = "Reserved";
    public const string Cancelled = "Cancelled";
}
