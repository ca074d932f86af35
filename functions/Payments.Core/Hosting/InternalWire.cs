using System.Text.Json;
using System.Text.Json.Serialization;
using Payments.Core.Protocol;
using Payments.Core.Transactions;

namespace Payments.Core.Hosting;

internal sealed class PaymentReportBody
{
    [JsonPropertyName("paymentIntegratorAccountId")] public string? PaymentIntegratorAccountId { get; set; }
    [JsonPropertyName("paymentIntegratorTransactionId")] public string? PaymentIntegratorTransactionId { get; set; }
    [JsonPropertyName("paidAtEpochMillis"), JsonConverter(typeof(Int64StringConverter))] public long? PaidAtEpochMillis { get; set; }
}

internal sealed record PaymentReportAnswer(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("referenceNumber")] string ReferenceNumber,
    [property: JsonPropertyName("paymentIntegratorTransactionId")] string PaymentIntegratorTransactionId,
    [property: JsonPropertyName("notificationRequestId")] string? NotificationRequestId,
    [property: JsonPropertyName("detail")] string Detail);

internal sealed record RequeueAnswer(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("operations")] IReadOnlyList<string> Operations);

internal sealed record InternalProblem([property: JsonPropertyName("error")] string Error);

[JsonSourceGenerationOptions(AllowDuplicateProperties = false)]
[JsonSerializable(typeof(PaymentReportBody))]
[JsonSerializable(typeof(PaymentReportAnswer))]
[JsonSerializable(typeof(InternalProblem))]
[JsonSerializable(typeof(RequeueAnswer))]
internal sealed partial class InternalJsonContext : JsonSerializerContext;
