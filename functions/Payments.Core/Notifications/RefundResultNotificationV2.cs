using System.Text.Json;
using Payments.Core.Protocol;

namespace Payments.Core.Notifications;

/// <summary><c>refundResultNotification</c> (RORPC v2): the final result of an acknowledged v2 <c>asynchronousRefund</c>.
/// The result is a union whose member is the result code in camelCase: <c>SUCCESS</c> → <c>success{}</c>,
/// <c>ACCOUNT_CLOSED_FRAUD</c> → <c>accountClosedFraud{}</c>, <c>NO_MONEY_LEFT_ON_TRANSACTION</c> →
/// <c>noMoneyLeftOnTransaction{}</c> (docs/protocol.md, "Decisions: cancel v1, refund v2").</summary>
/// <param name="RefundRequestId">the <c>requestId</c> of the asynchronousRefund</param>
/// <param name="PaymentIntegratorRefundId">our id of the refund: its back-office code</param>
/// <param name="RefundResult"><c>SUCCESS</c> or a refund decline code</param>
public sealed record RefundResultNotificationV2(string PaymentIntegratorAccountId, string NotificationRequestId, string RefundRequestId,
    string PaymentIntegratorRefundId, string RefundResult)
    : GoogleNotification(PaymentIntegratorAccountId, NotificationRequestId)
{
    public override string Api => ProtocolApis.RefundableOneTimePaymentCode;
    public override int Version => 2;
    public override string Method => RefundResultNotification.MethodName;
    internal override string ExpectedResult => "{accepted:{}}";
    // Tolerant: some v2 pages answer notifications with success{}.
    internal override bool IsSuccess(JsonElement result) => IsMember(result, "accepted") || IsMember(result, "success");

    internal override byte[] ToJson(long ms) => JsonSerializer.SerializeToUtf8Bytes(
        new RefundResultNotificationV2Body(V2Header(ms), RefundRequestId, PaymentIntegratorRefundId,
            new Dictionary<string, EmptyMember> { [Member(RefundResult)] = EmptyMember.Instance }),
        NotificationJsonContext.Default.RefundResultNotificationV2Body);

    /// <summary><c>ACCOUNT_CLOSED_FRAUD</c> → <c>accountClosedFraud</c>.</summary>
    public static string Member(string resultCode)
    {
        var parts = resultCode.ToLowerInvariant().Split('_', StringSplitOptions.RemoveEmptyEntries);
        return parts[0] + string.Concat(parts.Skip(1).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
    }
}
