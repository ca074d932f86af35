using System.Text.Json;
using Payments.Core.Protocol;

namespace Payments.Core.Notifications;

/// <summary>
/// A notification the integrator sends to Google (docs/protocol.md §2, Google-hosted calls). <see cref="NotificationRequestId"/>
/// is the notification's own stable <c>requestId</c>, chosen once by the caller and reused on every attempt; the
/// client stamps a fresh <c>requestTimestamp</c> per attempt. Posted to <c>{Google:BaseUrl}/{Api}-v{Version}/{Method}/{PIAID}</c>.
/// </summary>
public abstract record GoogleNotification(string PaymentIntegratorAccountId, string NotificationRequestId)
{
    public abstract string Api { get; }
    public abstract int Version { get; }
    public abstract string Method { get; }
    public HeaderStyle Style => Api == ProtocolApis.RefundableOneTimePaymentCode && Version == 2 ? HeaderStyle.V2 : HeaderStyle.V1;
    /// <summary><c>{api}-v{N}/{method}</c> (the PIAID follows in the URL).</summary>
    public string Route => $"{Api}-v{Version}/{Method}";

    /// <summary>The JSON body of one attempt.</summary>
    internal abstract byte[] ToJson(long requestTimestampMillis);

    /// <summary>True when Google's <c>result</c> is this call's success shape.</summary>
    internal abstract bool IsSuccess(JsonElement result);

    /// <summary>The shape the call expects, for messages: <c>{accepted:{}}</c>, <c>{success:{}}</c> or <c>"SUCCESS"</c>.</summary>
    internal abstract string ExpectedResult { get; }

    internal static bool IsMember(JsonElement result, string member)
        => result.ValueKind == JsonValueKind.Object && result.TryGetProperty(member, out var m) && m.ValueKind == JsonValueKind.Object;

    internal static bool IsSuccessString(JsonElement result)
        => result.ValueKind == JsonValueKind.String && result.ValueEquals("SUCCESS");

    internal V1RequestHeader V1Header(long ms) => new(V1ProtocolVersion.Instance, NotificationRequestId, ms.ToString(System.Globalization.CultureInfo.InvariantCulture));
    internal V2RequestHeader V2Header(long ms) => new(V2ProtocolVersion.Instance, NotificationRequestId, new EpochMillis(ms.ToString(System.Globalization.CultureInfo.InvariantCulture)), PaymentIntegratorAccountId);
}

/// <summary><c>refundResultNotification</c> (RORPC v1): the final result of an acknowledged <c>asynchronousRefund</c>.</summary>
/// <param name="RefundRequestId">the <c>requestId</c> of the asynchronousRefund</param>
/// <param name="RefundResult"><c>SUCCESS</c> or a refund decline code (e.g. <c>NO_MONEY_LEFT_ON_TRANSACTION</c>)</param>
public sealed record RefundResultNotification(string PaymentIntegratorAccountId, string NotificationRequestId, string RefundRequestId, string RefundResult)
    : GoogleNotification(PaymentIntegratorAccountId, NotificationRequestId)
{
    public const string MethodName = "refundResultNotification";
    public override string Api => ProtocolApis.RefundableOneTimePaymentCode;
    public override int Version => 1;
    public override string Method => MethodName;
    internal override string ExpectedResult => "{accepted:{}}";
    internal override bool IsSuccess(JsonElement result) => IsMember(result, "accepted");
    internal override byte[] ToJson(long ms) => JsonSerializer.SerializeToUtf8Bytes(
        new RefundResultNotificationBody(V1Header(ms), PaymentIntegratorAccountId, RefundRequestId, RefundResult),
        NotificationJsonContext.Default.RefundResultNotificationBody);
}

/// <summary><c>cancelFundsReservationResultNotification</c> (redirect-payment-token v1).</summary>
/// <param name="CancelFundsReservationRequestId">the <c>requestId</c> of the cancelFundsReservation</param>
public sealed record CancelFundsReservationResultNotification(string PaymentIntegratorAccountId, string NotificationRequestId, string CancelFundsReservationRequestId, string CancelFundsReservationResult = "SUCCESS")
    : GoogleNotification(PaymentIntegratorAccountId, NotificationRequestId)
{
    public const string MethodName = "cancelFundsReservationResultNotification";
    public override string Api => ProtocolApis.RedirectPaymentToken;
    public override int Version => 1;
    public override string Method => MethodName;
    internal override string ExpectedResult => "\"SUCCESS\"";
    internal override bool IsSuccess(JsonElement result) => IsSuccessString(result);
    internal override byte[] ToJson(long ms) => JsonSerializer.SerializeToUtf8Bytes(
        new CancelFundsReservationResultNotificationBody(V1Header(ms), PaymentIntegratorAccountId, CancelFundsReservationRequestId, CancelFundsReservationResult),
        NotificationJsonContext.Default.CancelFundsReservationResultNotificationBody);
}

/// <summary>Where a v1 reference number was paid (optional).</summary>
public sealed record PaymentLocation(string? BrandName, string? LocationId);

/// <summary><c>referenceNumberPaidNotification</c> v1 (RORPC v1): for reference numbers generated through v1.</summary>
public sealed record ReferenceNumberPaidNotificationV1(string PaymentIntegratorAccountId, string NotificationRequestId, string PaymentIntegratorTransactionId, string ReferenceNumber, long PaymentTimestampEpochMillis, PaymentLocation? PaymentLocation = null)
    : GoogleNotification(PaymentIntegratorAccountId, NotificationRequestId)
{
    public const string MethodName = "referenceNumberPaidNotification";
    public override string Api => ProtocolApis.RefundableOneTimePaymentCode;
    public override int Version => 1;
    public override string Method => MethodName;
    internal override string ExpectedResult => "\"SUCCESS\"";
    internal override bool IsSuccess(JsonElement result) => IsSuccessString(result);
    internal override byte[] ToJson(long ms) => JsonSerializer.SerializeToUtf8Bytes(
        new ReferenceNumberPaidNotificationV1Body(V1Header(ms), PaymentIntegratorAccountId, PaymentIntegratorTransactionId, ReferenceNumber,
            PaymentTimestampEpochMillis.ToString(System.Globalization.CultureInfo.InvariantCulture),
            PaymentLocation is null ? null : new PaymentLocationBody(PaymentLocation.BrandName, PaymentLocation.LocationId)),
        NotificationJsonContext.Default.ReferenceNumberPaidNotificationV1Body);
}

/// <summary><c>referenceNumberPaidNotification</c> v2 (RORPC v2): for reference numbers generated through v2.</summary>
public sealed record ReferenceNumberPaidNotificationV2(string PaymentIntegratorAccountId, string NotificationRequestId, string PaymentIntegratorTransactionId, string GenerateReferenceNumberRequestId, long PaymentTimestampEpochMillis)
    : GoogleNotification(PaymentIntegratorAccountId, NotificationRequestId)
{
    public const string MethodName = "referenceNumberPaidNotification";
    public override string Api => ProtocolApis.RefundableOneTimePaymentCode;
    public override int Version => 2;
    public override string Method => MethodName;
    internal override string ExpectedResult => "{success:{}}";
    internal override bool IsSuccess(JsonElement result) => IsMember(result, "success");
    internal override byte[] ToJson(long ms) => JsonSerializer.SerializeToUtf8Bytes(
        new ReferenceNumberPaidNotificationV2Body(V2Header(ms), PaymentIntegratorTransactionId, GenerateReferenceNumberRequestId,
            new EpochMillis(PaymentTimestampEpochMillis.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        NotificationJsonContext.Default.ReferenceNumberPaidNotificationV2Body);
}

/// <summary>How one attempt ended.</summary>
public enum NotificationOutcome
{
    /// <summary>Google answered HTTP 200 with the call's success result: the notification is delivered.</summary>
    Accepted,
    /// <summary>Google answered and refused: an ErrorResponse (any status), or HTTP 200 with another result.</summary>
    Rejected,
    /// <summary>No usable answer: transport error, timeout, non-200 without ErrorResponse, an unopenable or unparseable body.</summary>
    Failed,
}

/// <summary>One delivery attempt, for the operation record. <see cref="Detail"/> is short and safe to show operators
/// (no secrets, no bodies).</summary>
/// <param name="At">when the attempt started</param>
/// <param name="RequestTimestampMillis">the <c>requestTimestamp</c> this attempt carried</param>
/// <param name="HttpStatus">null when no HTTP answer came (transport error, timeout)</param>
/// <param name="ErrorCode">Google's <c>errorResponseCode</c> (v1) or <c>errorResponseResult</c> member (v2), when it sent one</param>
public sealed record NotificationAttempt(
    DateTimeOffset At,
    TimeSpan Duration,
    long RequestTimestampMillis,
    int? HttpStatus,
    NotificationOutcome Outcome,
    string Detail,
    string? ErrorCode = null)
{
    public bool Delivered => Outcome == NotificationOutcome.Accepted;
    /// <summary>Failed without a usable answer from Google (timeout, transport error, 5xx/429/408 without an
    /// ErrorResponse): the endpoint is down for every notification, not refusing this one.</summary>
    public bool Unavailable => Outcome == NotificationOutcome.Failed && !LocalFailure && HttpStatus is null or >= 500 or 429 or 408;
    /// <summary>Failed before anything was sent (the body could not be sealed).</summary>
    public bool LocalFailure { get; init; }
}
