namespace Payments.Core.Protocol;

/// <summary>Every method this deployment serves. Both hosts serve exactly this list.</summary>
public static class ProtocolMethods
{
    public static readonly ProtocolMethod EchoRorpcV1 = new(ProtocolApis.RefundableOneTimePaymentCode, 1, "echo");
    public static readonly ProtocolMethod GenerateReferenceNumberV1 = new(ProtocolApis.RefundableOneTimePaymentCode, 1, "generateReferenceNumber");
    public static readonly ProtocolMethod AsynchronousRefundV1 = new(ProtocolApis.RefundableOneTimePaymentCode, 1, "asynchronousRefund");
    public static readonly ProtocolMethod EchoRorpcV2 = new(ProtocolApis.RefundableOneTimePaymentCode, 2, "echo");
    public static readonly ProtocolMethod GenerateReferenceNumberV2 = new(ProtocolApis.RefundableOneTimePaymentCode, 2, "generateReferenceNumber");
    public static readonly ProtocolMethod CancelReferenceNumberV2 = new(ProtocolApis.RefundableOneTimePaymentCode, 2, "cancelReferenceNumber");
    public static readonly ProtocolMethod EchoRedirectV1 = new(ProtocolApis.RedirectPaymentToken, 1, "echo");
    public static readonly ProtocolMethod ReserveFundsV1 = new(ProtocolApis.RedirectPaymentToken, 1, "reserveFunds");
    public static readonly ProtocolMethod CancelFundsReservationV1 = new(ProtocolApis.RedirectPaymentToken, 1, "cancelFundsReservation");
    public static readonly ProtocolMethod EchoEWalletsV1 = new(ProtocolApis.EWallets, 1, "echo");
    public static readonly ProtocolMethod CreateMandateV1 = new(ProtocolApis.EWallets, 1, "createMandate");
    public static readonly ProtocolMethod CancelMandateV1 = new(ProtocolApis.EWallets, 1, "cancelMandate");
    public static readonly ProtocolMethod CaptureFundsReservationV1 = new(ProtocolApis.RedirectPaymentToken, 1, "captureFundsReservation");
    public static readonly ProtocolMethod RefundRedirectV1 = new(ProtocolApis.RedirectPaymentToken, 1, "refund");
    public static readonly ProtocolMethod CaptureEWalletsV1 = new(ProtocolApis.EWallets, 1, "capture");
    public static readonly ProtocolMethod RefundEWalletsV1 = new(ProtocolApis.EWallets, 1, "refund");
    public static readonly ProtocolMethod CancelReferenceNumberV1 = new(ProtocolApis.RefundableOneTimePaymentCode, 1, "cancelReferenceNumber");
    public static readonly ProtocolMethod AsynchronousRefundV2 = new(ProtocolApis.RefundableOneTimePaymentCode, 2, "asynchronousRefund");
    public static readonly ProtocolMethod RemittanceStatementNotificationRorpcV1 = new(ProtocolApis.RefundableOneTimePaymentCode, 1, "remittanceStatementNotification");
    public static readonly ProtocolMethod RemittanceStatementNotificationRorpcV2 = new(ProtocolApis.RefundableOneTimePaymentCode, 2, "remittanceStatementNotification");
    public static readonly ProtocolMethod RemittanceStatementNotificationRedirectV1 = new(ProtocolApis.RedirectPaymentToken, 1, "remittanceStatementNotification");
    public static readonly ProtocolMethod RemittanceStatementNotificationEWalletsV1 = new(ProtocolApis.EWallets, 1, "remittanceStatementNotification");

    public static IReadOnlyList<ProtocolMethod> All { get; } =
    [
        EchoRorpcV1, GenerateReferenceNumberV1, AsynchronousRefundV1,
        EchoRorpcV2, GenerateReferenceNumberV2, CancelReferenceNumberV2,
        EchoRedirectV1, ReserveFundsV1, CancelFundsReservationV1,
        EchoEWalletsV1, CreateMandateV1, CancelMandateV1,
        CaptureFundsReservationV1, RefundRedirectV1,
        CaptureEWalletsV1, RefundEWalletsV1,
        CancelReferenceNumberV1, AsynchronousRefundV2,
        RemittanceStatementNotificationRorpcV1, RemittanceStatementNotificationRorpcV2,
        RemittanceStatementNotificationRedirectV1, RemittanceStatementNotificationEWalletsV1,
    ];
}
