using System.Text.Json;
using System.Text.Json.Serialization;
using Payments.Core.Protocol;
using Payments.Core.Transactions;

namespace Payments.Core.Hosting;

public sealed class PaymentReportBody
{
    [JsonPropertyName("paymentIntegratorAccountId")] public string? PaymentIntegratorAccountId { get; set; }
    [JsonPropertyName("paymentIntegratorTransactionId")] public string? PaymentIntegratorTransactionId { get; set; }
    [JsonPropertyName("paidAtEpochMillis"), JsonConverter(typeof(Int64StringConverter))] public long? PaidAtEpochMillis { get; set; }
}

public sealed record PaymentReportAnswer(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("referenceNumber")] string ReferenceNumber,
    [property: JsonPropertyName("paymentIntegratorTransactionId")] string PaymentIntegratorTransactionId,
    [property: JsonPropertyName("notificationRequestId")] string? NotificationRequestId,
    [property: JsonPropertyName("detail")] string Detail);

public sealed record RequeueAnswer(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("operations")] IReadOnlyList<string> Operations);

public sealed record InternalProblem([property: JsonPropertyName("error")] string Error);

[JsonSourceGenerationOptions(AllowDuplicateProperties = false)]
[JsonSerializable(typeof(PaymentReportBody))]
[JsonSerializable(typeof(PaymentReportAnswer))]
[JsonSerializable(typeof(InternalProblem))]
[JsonSerializable(typeof(RequeueAnswer))]
internal sealed partial class InternalJsonContext : JsonSerializerContext;
