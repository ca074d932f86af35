using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Payments.Core.Protocol;

/// <summary>A validated call. <paramref name="Request"/> is what the handler's Validate made of the body;
/// <paramref name="Fingerprint"/> is the idempotency fingerprint (empty for echo).</summary>
public sealed record ProtocolCall(
    ProtocolMethod Method,
    object Request,
    string? PaymentIntegratorAccountId,
    string RequestId,
    string Fingerprint,
    DateTimeOffset Now)
{
    /// <summary>The account a mutating call acts for: the processor refuses one that names none.</summary>
    public string Account => PaymentIntegratorAccountId ?? throw new InvalidOperationException($"{Method.Route} names no account");
}
