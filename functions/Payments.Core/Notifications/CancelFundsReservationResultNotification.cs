using System.Text.Json;
using Payments.Core.Protocol;

namespace Payments.Core.Notifications;

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
