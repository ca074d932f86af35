using System.Security.Cryptography;
using System.Text.Json.Serialization.Metadata;
using Azure;
using Azure.Data.Tables;

namespace Payments.Core.Transactions;

public static class FundsReservationStatus
{
    public const string Reserved = "Reserved";
    public const string Cancelled = "Cancelled";
    /// <summary>captureFundsReservation took it (once per reservation; the remainder is released).</summary>
    public const string Captured = "Captured";
}
