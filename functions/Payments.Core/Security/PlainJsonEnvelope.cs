namespace Payments.Core.Security;

/// <summary><c>Security__Mode=None</c>: plain JSON (Development only).</summary>
public sealed class PlainJsonEnvelope : IMessageEnvelope
{
    public string ContentType => "application/json; charset=utf-8";
    public byte[] Open(ReadOnlySpan<byte> body) => body.ToArray();
    public byte[] Seal(ReadOnlySpan<byte> json) => json.ToArray();
}
