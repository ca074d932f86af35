namespace Payments.Core.Protocol;

public static class ProtocolApis
{
    public const string RefundableOneTimePaymentCode = "refundable-one-time-payment-code";
    public const string RedirectPaymentToken = "redirect-payment-token";
    public const string EWallets = "e-wallets";
}
