using System.Text.Json.Serialization;
using Payments.Core.Notifications;

namespace Payments.Core.Settlement;

// Request bodies of Google's statement methods (docs/protocol.md, "Settlement"). Answers are read by StatementPageReader.

internal sealed record StatementDetailsV1Body(
    [property: JsonPropertyName("requestHeader")] V1RequestHeader RequestHeader,
    [property: JsonPropertyName("paymentIntegratorAccountId")] string PaymentIntegratorAccountId,
    [property: JsonPropertyName("statementId")] string StatementId,
    [property: JsonPropertyName("eventOffset")] long EventOffset,
    [property: JsonPropertyName("numberOfEvents")] int NumberOfEvents);

internal sealed record StatementDetailsV2Body(
    [property: JsonPropertyName("requestHeader")] V2RequestHeader RequestHeader,
    [property: JsonPropertyName("statementId")] string StatementId,
    [property: JsonPropertyName("eventOffset")] long EventOffset,
    [property: JsonPropertyName("numberOfEvents")] int NumberOfEvents);

internal sealed record AcceptStatementV1Body(
    [property: JsonPropertyName("requestHeader")] V1RequestHeader RequestHeader,
    [property: JsonPropertyName("paymentIntegratorAccountId")] string PaymentIntegratorAccountId,
    [property: JsonPropertyName("statementId")] string StatementId);

internal sealed record AcceptStatementV2Body(
    [property: JsonPropertyName("requestHeader")] V2RequestHeader RequestHeader,
    [property: JsonPropertyName("statementId")] string StatementId);

[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Default)]
[JsonSerializable(typeof(StatementDetailsV1Body))]
[JsonSerializable(typeof(StatementDetailsV2Body))]
[JsonSerializable(typeof(AcceptStatementV1Body))]
[JsonSerializable(typeof(AcceptStatementV2Body))]
internal sealed partial class StatementJsonContext : JsonSerializerContext;
