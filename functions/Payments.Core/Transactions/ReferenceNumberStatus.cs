using System.Security.Cryptography;
using System.Text.Json.Serialization.Metadata;
using Azure;
using Azure.Data.Tables;

namespace Payments.Core.Transactions;

public static class ReferenceNumberStatus
{
    public const string Active = "Active";
    public const string Paid = "Paid";
    public const string Cancelled = "Cancelled";
}
