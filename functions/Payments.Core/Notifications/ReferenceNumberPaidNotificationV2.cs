using System.Text.Json;
using Payments.Core.Protocol;

namespace Payments.Core.Notifications;

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
