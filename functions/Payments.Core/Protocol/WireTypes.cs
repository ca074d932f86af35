using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Payments.Core.Protocol;

// The request side of the wire model. Every property is nullable so that a missing field is
// reported by name (all of them at once) by the validator rather than as a serializer exception.
// Unknown properties are ignored: Google may add fields within a major version at any time.

public sealed class ProtocolVersion
{
    [JsonPropertyName("major")] public int? Major { get; set; }
    [JsonPropertyName("minor")] public int? Minor { get; set; }
    [JsonPropertyName("revision")] public int? Revision { get; set; }
}

/// <summary>A request timestamp in either style: v1 sends a string of epoch milliseconds, v2 an
/// object <c>{"epochMillis": "..."}</c>. The converter accepts both and records which it saw, so the
/// version check can report a header of the wrong style as a version problem, not a type error.</summary>
[JsonConverter(typeof(WireTimestampConverter))]
public readonly record struct WireTimestamp(long EpochMillis, bool IsObject);

public sealed class RequestHeader
{
    [JsonPropertyName("protocolVersion")] public ProtocolVersion? ProtocolVersion { get; set; }
    [JsonPropertyName("requestId")] public string? RequestId { get; set; }
    [JsonPropertyName("requestTimestamp")] public WireTimestamp? RequestTimestamp { get; set; }
    /// <summary>v2 only: the PIAID travels in the header.</summary>
    [JsonPropertyName("paymentIntegratorAccountId")] public string? PaymentIntegratorAccountId { get; set; }
}

public sealed class Amount
{
    [JsonPropertyName("amountMicros"), JsonConverter(typeof(Int64StringConverter))] public long? AmountMicros { get; set; }
    [JsonPropertyName("currencyCode")] public string? CurrencyCode { get; set; }
}

/// <summary>Common shape: every request has a header; v1 requests carry the PIAID in the body.</summary>
public abstract class ProtocolRequest
{
    [JsonPropertyName("requestHeader")] public RequestHeader? RequestHeader { get; set; }
    [JsonPropertyName("paymentIntegratorAccountId")] public string? PaymentIntegratorAccountId { get; set; }
}

public sealed class EchoRequest : ProtocolRequest
{
    [JsonPropertyName("clientMessage")] public string? ClientMessage { get; set; }
}

public sealed class GenerateReferenceNumberV1Request : ProtocolRequest
{
    [JsonPropertyName("transactionDescription")] public string? TransactionDescription { get; set; }
    [JsonPropertyName("currencyCode")] public string? CurrencyCode { get; set; }
    [JsonPropertyName("amount"), JsonConverter(typeof(Int64StringConverter))] public long? Amount { get; set; }
    [JsonPropertyName("userInfo")] public JsonElement? UserInfo { get; set; }
}

public sealed class GenerateReferenceNumberV2Request : ProtocolRequest
{
    [JsonPropertyName("googlePaymentToken")] public JsonElement? GooglePaymentToken { get; set; }
    [JsonPropertyName("transactionDescription")] public string? TransactionDescription { get; set; }
    [JsonPropertyName("amount")] public Amount? Amount { get; set; }
}

public sealed class CancelReferenceNumberV2Request : ProtocolRequest
{
    [JsonPropertyName("generateReferenceNumberRequestId")] public string? GenerateReferenceNumberRequestId { get; set; }
}

public sealed class AsynchronousRefundV1Request : ProtocolRequest
{
    [JsonPropertyName("generateReferenceNumberRequestId")] public string? GenerateReferenceNumberRequestId { get; set; }
    /// <summary>Older name of the same reference (docs/protocol.md §6).</summary>
    [JsonPropertyName("captureRequestId")] public string? CaptureRequestId { get; set; }
    [JsonPropertyName("refundAmount")] public Amount? RefundAmount { get; set; }
}

public sealed class CancelReferenceNumberV1Request : ProtocolRequest
{
    /// <summary>The number itself, as generateReferenceNumber v1 returned it.</summary>
    [JsonPropertyName("referenceNumber")] public string? ReferenceNumber { get; set; }
}

public sealed class AsynchronousRefundV2Request : ProtocolRequest
{
    /// <summary>The requestId of the generateReferenceNumber v2 call whose payment is refunded.</summary>
    [JsonPropertyName("transactionId")] public string? TransactionId { get; set; }
    [JsonPropertyName("refundAmount")] public Amount? RefundAmount { get; set; }
}

public sealed class ReserveFundsV1Request : ProtocolRequest
{
    [JsonPropertyName("googlePaymentToken")] public string? GooglePaymentToken { get; set; }
    [JsonPropertyName("transactionDescription")] public string? TransactionDescription { get; set; }
    [JsonPropertyName("currencyCode")] public string? CurrencyCode { get; set; }
    [JsonPropertyName("amount"), JsonConverter(typeof(Int64StringConverter))] public long? Amount { get; set; }
}

public sealed class CancelFundsReservationV1Request : ProtocolRequest
{
    [JsonPropertyName("reserveFundsRequestId")] public string? ReserveFundsRequestId { get; set; }
}

public sealed class CreateMandateV1Request : ProtocolRequest
{
    [JsonPropertyName("mandateId")] public string? MandateId { get; set; }
    [JsonPropertyName("googlePaymentToken")] public string? GooglePaymentToken { get; set; }
    [JsonPropertyName("mandateName")] public string? MandateName { get; set; }
    [JsonPropertyName("mandateDescription")] public string? MandateDescription { get; set; }
    [JsonPropertyName("startDate")] public WireTimestamp? StartDate { get; set; }
    [JsonPropertyName("endDate")] public WireTimestamp? EndDate { get; set; }
    [JsonPropertyName("frequency")] public string? Frequency { get; set; }
    [JsonPropertyName("maximumAmount")] public Amount? MaximumAmount { get; set; }
}

public sealed class CancelMandateV1Request : ProtocolRequest
{
    [JsonPropertyName("mandateId")] public string? MandateId { get; set; }
}

public sealed class BillingPeriod
{
    [JsonPropertyName("startDate")] public WireTimestamp? StartDate { get; set; }
    [JsonPropertyName("endDate")] public WireTimestamp? EndDate { get; set; }
}

public sealed class RemittanceInstructions
{
    [JsonPropertyName("memoLineId")] public string? MemoLineId { get; set; }
}

/// <summary>v1 remittanceStatementSummary: flat currencyCode and totalDueByIntegrator micros.</summary>
public sealed class RemittanceStatementSummaryV1
{
    [JsonPropertyName("statementDate")] public WireTimestamp? StatementDate { get; set; }
    [JsonPropertyName("billingPeriod")] public BillingPeriod? BillingPeriod { get; set; }
    [JsonPropertyName("dateDue")] public WireTimestamp? DateDue { get; set; }
    [JsonPropertyName("currencyCode")] public string? CurrencyCode { get; set; }
    [JsonPropertyName("totalDueByIntegrator"), JsonConverter(typeof(Int64StringConverter))] public long? TotalDueByIntegrator { get; set; }
    [JsonPropertyName("remittanceInstructions")] public RemittanceInstructions? RemittanceInstructions { get; set; }
}

/// <summary>v2 remittanceStatementSummary: Amount totals (the currency is the due total's) and totalEvents.</summary>
public sealed class RemittanceStatementSummaryV2
{
    [JsonPropertyName("statementDate")] public WireTimestamp? StatementDate { get; set; }
    [JsonPropertyName("billingPeriod")] public BillingPeriod? BillingPeriod { get; set; }
    [JsonPropertyName("dateDue")] public WireTimestamp? DateDue { get; set; }
    [JsonPropertyName("totalDueByIntegrator")] public Amount? TotalDueByIntegrator { get; set; }
    [JsonPropertyName("totalEvents"), JsonConverter(typeof(Int64StringConverter))] public long? TotalEvents { get; set; }
}

public sealed class RemittanceStatementNotificationV1Request : ProtocolRequest
{
    [JsonPropertyName("remittanceStatementSummary")] public RemittanceStatementSummaryV1? RemittanceStatementSummary { get; set; }
}

public sealed class RemittanceStatementNotificationV2Request : ProtocolRequest
{
    [JsonPropertyName("remittanceStatementSummary")] public RemittanceStatementSummaryV2? RemittanceStatementSummary { get; set; }
}

public sealed class CaptureFundsReservationV1Request : ProtocolRequest
{
    [JsonPropertyName("reserveFundsRequestId")] public string? ReserveFundsRequestId { get; set; }
    /// <summary>Micros in the reservation's currency (the request carries no currency).</summary>
    [JsonPropertyName("amount"), JsonConverter(typeof(Int64StringConverter))] public long? Amount { get; set; }
}

/// <summary>The synchronous refund of redirect-payment-token v1 and e-wallets v1 (one shape).</summary>
public sealed class RefundV1Request : ProtocolRequest
{
    [JsonPropertyName("captureRequestId")] public string? CaptureRequestId { get; set; }
    [JsonPropertyName("currencyCode")] public string? CurrencyCode { get; set; }
    [JsonPropertyName("refundAmount"), JsonConverter(typeof(Int64StringConverter))] public long? RefundAmount { get; set; }
}

/// <summary>e-wallets v1 capture: a charge against a token or a mandate (exactly one of the three).</summary>
public sealed class CaptureV1Request : ProtocolRequest
{
    [JsonPropertyName("transactionDescription")] public string? TransactionDescription { get; set; }
    [JsonPropertyName("currencyCode")] public string? CurrencyCode { get; set; }
    [JsonPropertyName("amount"), JsonConverter(typeof(Int64StringConverter))] public long? Amount { get; set; }
    [JsonPropertyName("googlePaymentToken")] public string? GooglePaymentToken { get; set; }
    [JsonPropertyName("mandateDetails")] public MandateDetails? MandateDetails { get; set; }
    [JsonPropertyName("mandateWithNotificationDetails")] public MandateDetails? MandateWithNotificationDetails { get; set; }
    [JsonPropertyName("captureContext")] public JsonElement? CaptureContext { get; set; }
}

/// <summary>The mandate a capture charges (docs/protocol.md §12: the notification variant is read for its mandateId too).</summary>
public sealed class MandateDetails
{
    [JsonPropertyName("mandateId")] public string? MandateId { get; set; }
}

/// <summary>An int64 carried as a JSON string of digits (the protocol's Int64Value); a JSON number is
/// accepted too, as old examples show them. Anything that does not fit a long is an error.</summary>
internal sealed class Int64StringConverter : JsonConverter<long?>
{
    public override bool HandleNull => true;

    public override long? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number:
                if (reader.TryGetInt64(out var n)) return n;
                throw new JsonException("number does not fit an int64");
            case JsonTokenType.String:
                ReadOnlySpan<byte> span = reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan;
                if (reader.ValueIsEscaped || !IsPlainInteger(span) || !Utf8Parser.TryParse(span, out long value, out var consumed) || consumed != span.Length)
                    throw new JsonException("expected a string of int64 digits");
                return value;
            default:
                throw new JsonException("expected a string of int64 digits");
        }
    }

    // Utf8Parser accepts a leading '+'; the protocol's Int64Value does not.
    private static bool IsPlainInteger(ReadOnlySpan<byte> s)
    {
        if (s.Length == 0 || s.Length > 20) return false;
        var i = s[0] == (byte)'-' ? 1 : 0;
        if (i == s.Length) return false;
        for (; i < s.Length; i++) if (s[i] is < (byte)'0' or > (byte)'9') return false;
        return true;
    }

    public override void Write(Utf8JsonWriter writer, long? value, JsonSerializerOptions options)
    {
        if (value is null) writer.WriteNullValue();
        else writer.WriteStringValue(value.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

internal sealed class WireTimestampConverter : JsonConverter<WireTimestamp>
{
    private static readonly Int64StringConverter Int64 = new();

    public override WireTimestamp Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            return new WireTimestamp(Int64.Read(ref reader, typeof(long?), options) ?? throw new JsonException("timestamp is null"), false);

        long? millis = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            if (reader.TokenType != JsonTokenType.PropertyName) throw new JsonException("malformed timestamp");
            var isEpochMillis = reader.ValueTextEquals("epochMillis"u8);
            reader.Read();
            if (isEpochMillis) millis = Int64.Read(ref reader, typeof(long?), options);
            else reader.Skip();
        }
        return new WireTimestamp(millis ?? throw new JsonException("timestamp object without epochMillis"), true);
    }

    public override void Write(Utf8JsonWriter writer, WireTimestamp value, JsonSerializerOptions options)
    {
        var text = value.EpochMillis.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!value.IsObject) { writer.WriteStringValue(text); return; }
        writer.WriteStartObject();
        writer.WriteString("epochMillis", text);
        writer.WriteEndObject();
    }
}

[JsonSourceGenerationOptions(
    AllowDuplicateProperties = false,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    NumberHandling = JsonNumberHandling.Strict,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EchoRequest))]
[JsonSerializable(typeof(GenerateReferenceNumberV1Request))]
[JsonSerializable(typeof(GenerateReferenceNumberV2Request))]
[JsonSerializable(typeof(CancelReferenceNumberV2Request))]
[JsonSerializable(typeof(AsynchronousRefundV1Request))]
[JsonSerializable(typeof(ReserveFundsV1Request))]
[JsonSerializable(typeof(CancelFundsReservationV1Request))]
[JsonSerializable(typeof(CreateMandateV1Request))]
[JsonSerializable(typeof(CancelMandateV1Request))]
[JsonSerializable(typeof(CaptureFundsReservationV1Request))]
[JsonSerializable(typeof(RefundV1Request))]
[JsonSerializable(typeof(CaptureV1Request))]
[JsonSerializable(typeof(CancelReferenceNumberV1Request))]
[JsonSerializable(typeof(AsynchronousRefundV2Request))]
[JsonSerializable(typeof(RemittanceStatementNotificationV1Request))]
[JsonSerializable(typeof(RemittanceStatementNotificationV2Request))]
public sealed partial class ProtocolJsonContext : JsonSerializerContext;
