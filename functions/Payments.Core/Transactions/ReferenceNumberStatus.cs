using System.Text.Json.Serialization.Metadata;

namespace Payments.Core.Transactions;

public static class ReferenceNumberStatus
{
    public const string Active = "Active";
    public const string Paid = "Paid";
    public const string Cancelled = "Cancelled";
}
