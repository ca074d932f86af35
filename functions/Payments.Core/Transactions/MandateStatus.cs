using System.Text.Json.Serialization.Metadata;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Storage;

namespace Payments.Core.Transactions;

public static class MandateStatus
{
    public const string Active = "Active";
    public const string Cancelled = "Cancelled";
}
