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
