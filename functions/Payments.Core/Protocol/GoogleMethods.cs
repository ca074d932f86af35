namespace Payments.Core.Protocol;

/// <summary>The Google-hosted methods we call: <c>POST {Google:BaseUrl}/{api}-v{N}/{method}/{PIAID}</c>.</summary>
public static class GoogleMethods
{
    public static readonly ProtocolMethod RefundResultNotificationV1 = new(ProtocolApis.RefundableOneTimePaymentCode, 1, "refundResultNotification");
    public static readonly ProtocolMethod ReferenceNumberPaidNotificationV1 = new(ProtocolApis.RefundableOneTimePaymentCode, 1, "referenceNumberPaidNotification");
    public static readonly ProtocolMethod ReferenceNumberPaidNotificationV2 = new(ProtocolApis.RefundableOneTimePaymentCode, 2, "referenceNumberPaidNotification");
    public static readonly ProtocolMethod CancelFundsReservationResultNotificationV1 = new(ProtocolApis.RedirectPaymentToken, 1, "cancelFundsReservationResultNotification");
    public static readonly ProtocolMethod RefundResultNotificationV2 = new(ProtocolApis.RefundableOneTimePaymentCode, 2, "refundResultNotification");
}
