namespace Payments.Core.Protocol;

public sealed record ProtocolError(ErrorCode Code, string Description)
{
    public IReadOnlyList<string>? MissingFieldNames { get; init; }
    public string? InvalidIdentifierType { get; init; }
    public int? RequestMajorVersion { get; init; }
    public int? ExpectedMajorVersion { get; init; }
}
