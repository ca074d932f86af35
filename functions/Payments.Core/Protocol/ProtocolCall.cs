using System.Text.Json.Serialization.Metadata;

namespace Payments.Core.Protocol;

/// <summary>A validated call. <paramref name="Fingerprint"/> is the idempotency fingerprint (empty for echo).</summary>
public sealed record ProtocolCall(
    ProtocolMethod Method,
    ProtocolRequest Request,
    string? PaymentIntegratorAccountId,
    string RequestId,
    string Fingerprint,
    DateTimeOffset Now);
