using System.Diagnostics;

namespace Payments.Core.Protocol;

/// <summary>The outcome of one protocol call, before the security envelope.</summary>
/// <param name="Body">JSON body; null for the statuses that carry none (409, 5xx).</param>
public sealed record ProtocolResponse(int Status, byte[]? Body, string? ErrorIdentifier);
