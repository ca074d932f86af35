using System.Text.Json.Serialization;

namespace Payments.Core.Notifications;

// Wire shapes of the Google-hosted notification calls (docs/protocol.md §2, §3).

internal sealed record V1ProtocolVersion(
    [property: JsonPropertyName("major")] int Major,
    [property: JsonPropertyName("minor")] int Minor,
    [property: JsonPropertyName("revision")] int Revision)
{
    public static readonly V1ProtocolVersion Instance = new(1, 0, 0);
}

internal sealed record V2ProtocolVersion([property: JsonPropertyName("major")] int Major)
{
    public static readonly V2ProtocolVersion Instance = new(2);
}

internal sealed record EpochMillis([property: JsonPropertyName("epochMillis")] string Value);

internal sealed record V1RequestHeader(
    [property: JsonPropertyName("protocolVersion")] V1ProtocolVersion ProtocolVersion,
    [property: JsonPropertyName("requestId")] string RequestId,
    [property: JsonPropertyName("requestTimestamp")] string RequestTimestamp);

internal sealed record V2RequestHeader(
    [property: JsonPropertyName("protocolVersion")] V2ProtocolVersion ProtocolVersion,
    [property: JsonPropertyName("requestId")] string RequestId,
    [property: JsonPropertyName("requestTimestamp")] EpochMillis RequestTimestamp,
    [property: JsonPropertyName("paymentIntegratorAccountId")] string PaymentIntegratorAccountId);

internal sealed record RefundResultNotificationBody(
    [property: JsonPropertyName("requestHeader")] V1RequestHeader RequestHeader,
    [property: JsonPropertyName("paymentIntegratorAccountId")] string PaymentIntegratorAccountId,
    [property: JsonPropertyName("refundRequestId")] string RefundRequestId,
    [property: JsonPropertyName("refundResult")] string RefundResult);

internal sealed record CancelFundsReservationResultNotificationBody(
    [property: JsonPropertyName("requestHeader")] V1RequestHeader RequestHeader,
    [property: JsonPropertyName("paymentIntegratorAccountId")] string PaymentIntegratorAccountId,
    [property: JsonPropertyName("cancelFundsReservationRequestId")] string CancelFundsReservationRequestId,
    [property: JsonPropertyName("cancelFundsReservationResult")] string CancelFundsReservationResult);

internal sealed record PaymentLocationBody(
    [property: JsonPropertyName("brandName"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? BrandName,
    [property: JsonPropertyName("locationId"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LocationId);

internal sealed record ReferenceNumberPaidNotificationV1Body(
    [property: JsonPropertyName("requestHeader")] V1RequestHeader RequestHeader,
    [property: JsonPropertyName("paymentIntegratorAccountId")] string PaymentIntegratorAccountId,
    [property: JsonPropertyName("paymentIntegratorTransactionId")] string PaymentIntegratorTransactionId,
    [property: JsonPropertyName("referenceNumber")] string ReferenceNumber,
    [property: JsonPropertyName("paymentTimestamp")] string PaymentTimestamp,
    [property: JsonPropertyName("paymentLocation"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PaymentLocationBody? PaymentLocation);

internal sealed record ReferenceNumberPaidNotificationV2Body(
    [property: JsonPropertyName("requestHeader")] V2RequestHeader RequestHeader,
    [property: JsonPropertyName("paymentIntegratorTransactionId")] string PaymentIntegratorTransactionId,
    [property: JsonPropertyName("generateReferenceNumberRequestId")] string GenerateReferenceNumberRequestId,
    [property: JsonPropertyName("paymentTimestamp")] EpochMillis PaymentTimestamp);

/// <summary>A member of a v2 union that carries nothing: <c>{}</c>.</summary>
internal sealed record EmptyMember
{
    public static readonly EmptyMember Instance = new();
}

internal sealed record RefundResultNotificationV2Body(
    [property: JsonPropertyName("requestHeader")] V2RequestHeader RequestHeader,
    [property: JsonPropertyName("refundRequestId")] string RefundRequestId,
    [property: JsonPropertyName("paymentIntegratorRefundId")] string PaymentIntegratorRefundId,
    [property: JsonPropertyName("result")] IReadOnlyDictionary<string, EmptyMember> Result);

[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Default)]
[JsonSerializable(typeof(RefundResultNotificationBody))]
[JsonSerializable(typeof(CancelFundsReservationResultNotificationBody))]
[JsonSerializable(typeof(ReferenceNumberPaidNotificationV1Body))]
[JsonSerializable(typeof(ReferenceNumberPaidNotificationV2Body))]
[JsonSerializable(typeof(RefundResultNotificationV2Body))]
internal sealed partial class NotificationJsonContext : JsonSerializerContext;
