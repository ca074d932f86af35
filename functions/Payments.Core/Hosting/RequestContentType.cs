using System.Net.Http.Headers;

namespace Payments.Core.Hosting;

/// <summary>
/// The Content-Type a protocol request may declare (docs/protocol.md §7): the media type of the security
/// mode's own bodies (<see cref="Security.IMessageEnvelope.ContentType"/>), in any case, with or without
/// <c>charset</c> or other parameters. A request without one is served: Google's pages name the type its
/// bodies have, not that the header is always sent. Anything else (a form, multipart, text) is refused
/// before the body is opened; those are also the types a browser may post cross-site without asking.
/// </summary>
public static class RequestContentType
{
    public static bool IsAccepted(string? declared, string envelopeContentType)
    {
        if (string.IsNullOrWhiteSpace(declared)) return true;
        // The envelope's own type is ours and well-formed: its media type is what stands before any ';'.
        var expected = envelopeContentType.AsSpan();
        if (expected.IndexOf(';') is var semicolon and >= 0) expected = expected[..semicolon];
        return MediaTypeHeaderValue.TryParse(declared, out var given)
            && expected.Trim().Equals(given.MediaType, StringComparison.OrdinalIgnoreCase);
    }
}
