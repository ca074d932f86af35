using System.Text.Json;
using System.Text.Json.Serialization;

namespace Payments.Core.BackOffice;

// CRM.COM Web API wire types (docs/backoffice.md). snake_case names are the wire's.

internal sealed record CrmComLoginRequest(
    [property: JsonPropertyName("username")] string Username,
    [property: JsonPropertyName("password")] string Password,
    [property: JsonPropertyName("organisation")] string Organisation,
    [property: JsonPropertyName("unit"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Unit);

/// <summary>Identifier objects of CRM.COM: exactly one member is set.</summary>
internal sealed record CrmComIdentifier(
    [property: JsonPropertyName("reference_number"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ReferenceNumber = null,
    [property: JsonPropertyName("name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Name = null,
    [property: JsonPropertyName("back_office_code"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? BackOfficeCode = null);

internal sealed record CrmComPaymentCancelRequest(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("payment_identifier")] CrmComIdentifier PaymentIdentifier,
    [property: JsonPropertyName("type_identifier")] CrmComIdentifier TypeIdentifier,
    [property: JsonPropertyName("back_office_code")] string BackOfficeCode,
    [property: JsonPropertyName("issue_reason")] string IssueReason);

internal sealed record CrmComRefundCreateRequest(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("payment_identifier")] CrmComIdentifier PaymentIdentifier,
    [property: JsonPropertyName("type_identifier")] CrmComIdentifier TypeIdentifier,
    [property: JsonPropertyName("refund_amount")] decimal RefundAmount,
    [property: JsonPropertyName("back_office_code")] string BackOfficeCode,
    [property: JsonPropertyName("issue_reason")] string IssueReason);

internal sealed record CrmComPaymentCreateRequest(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("accounts_receivable_identifier")] CrmComIdentifier AccountsReceivableIdentifier,
    [property: JsonPropertyName("type_identifier")] CrmComIdentifier TypeIdentifier,
    [property: JsonPropertyName("life_cycle_state")] string LifeCycleState,
    [property: JsonPropertyName("payment_method_identifier")] CrmComIdentifier PaymentMethodIdentifier,
    [property: JsonPropertyName("payment_amount")] decimal PaymentAmount,
    [property: JsonPropertyName("back_office_code")] string BackOfficeCode,
    [property: JsonPropertyName("notes")] string Notes);

internal sealed record CrmComStatus(
    [property: JsonPropertyName("code")] string? Code,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("description")] string? Description);

/// <summary>Every CRM.COM answer, errors included: <c>{"status": {...}, "data": {...}}</c>.</summary>
internal sealed record CrmComEnvelope(
    [property: JsonPropertyName("status")] CrmComStatus? Status,
    [property: JsonPropertyName("data")] JsonElement Data);

[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Default)]
[JsonSerializable(typeof(CrmComLoginRequest))]
[JsonSerializable(typeof(CrmComPaymentCancelRequest))]
[JsonSerializable(typeof(CrmComRefundCreateRequest))]
[JsonSerializable(typeof(CrmComPaymentCreateRequest))]
[JsonSerializable(typeof(CrmComEnvelope))]
internal sealed partial class CrmComJsonContext : JsonSerializerContext;
