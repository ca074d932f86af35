using System.Text.Json.Serialization.Metadata;
using Azure;
using Azure.Data.Tables;

namespace Payments.Core.Transactions;

public static class MandateStatus
{
    public const string Active = "Active";
    public const string Cancelled = "Cancelled";
}
