using Microsoft.Extensions.Hosting;

namespace Payments.Core.Security;

/// <summary>A key of the message security as configured: the setting it is in, its id (PGP key id or JWE
/// <c>kid</c>) and when it expires (null: never, e.g. a bare PEM key).</summary>
public sealed record ConfiguredKey(string Setting, string KeyId, DateTime? ExpiresUtc);
