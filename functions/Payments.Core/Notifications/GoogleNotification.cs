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
