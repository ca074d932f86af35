using System.Security.Cryptography;
using System.Text.Json.Serialization.Metadata;
using Payments.Core.Hosting;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Storage;

namespace Payments.Core.Transactions;

public static class FundsReservationStatus
{
    public const string Reserved = "Reserved";
    public const string Cancelled = "Cancelled";
}
