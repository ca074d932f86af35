namespace Payments.Core.Security;

/// <summary>
/// The message security of the integration (docs/protocol.md §7), chosen by <c>Security__Mode</c>.
/// Protocol handlers see only plain JSON; this is the only place bodies are opened and sealed.
/// </summary>
public interface IMessageEnvelope
{
    /// <summary>Content-Type of sealed bodies, e.g. <c>application/octet-stream; charset=utf-8</c>.</summary>
    string ContentType { get; }

    /// <summary>Decrypts and verifies a request (or a response from Google) body.</summary>
    /// <exception cref="EnvelopeException">the body cannot be opened; <see cref="EnvelopeException.Failure"/> says why.</exception>
    byte[] Open(ReadOnlySpan<byte> body);

    /// <summary>Signs and encrypts a JSON body for Google.</summary>
    byte[] Seal(ReadOnlySpan<byte> json);

    /// <summary>The keys in use, ours and Google's, with their expiry (<see cref="KeyExpiryWarning"/>).</summary>
    IReadOnlyList<ConfiguredKey> Keys => [];
}

public enum EnvelopeFailure
{
    /// <summary>Not encrypted to a key of ours, not an encrypted message at all, or not decodable → 400 INVALID_PAYLOAD_ENCRYPTION.</summary>
    InvalidEncryption,
    /// <summary>No valid signature from a known, active Google key → 401 INVALID_PAYLOAD_SIGNATURE.</summary>
    InvalidSignature,
}

public sealed class EnvelopeException(EnvelopeFailure failure, string message, Exception? inner = null) : Exception(message, inner)
{
    public EnvelopeFailure Failure { get; } = failure;
}

/// <summary><c>Security__Mode=None</c>: plain JSON (Development only).</summary>
public sealed class PlainJsonEnvelope : IMessageEnvelope
{
    public string ContentType => "application/json; charset=utf-8";
    public byte[] Open(ReadOnlySpan<byte> body) => body.ToArray();
    public byte[] Seal(ReadOnlySpan<byte> json) => json.ToArray();
}
