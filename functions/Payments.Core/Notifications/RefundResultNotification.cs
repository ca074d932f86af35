using System.Text.Json;
using Payments.Core.Protocol;

namespace Payments.Core.Notifications;

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
