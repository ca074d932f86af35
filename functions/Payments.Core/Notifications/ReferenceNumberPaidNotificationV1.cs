using System.Text.Json;
using Payments.Core.Protocol;

namespace Payments.Core.Notifications;

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
