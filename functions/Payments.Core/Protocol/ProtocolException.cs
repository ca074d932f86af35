namespace Payments.Core.Protocol;

/// <summary>A request that cannot be processed: answered with an ErrorResponse, never stored,
/// never a state change. <see cref="ProtocolError.Description"/> is for support staff: it names the
/// field or identifier, never a secret.</summary>
internal sealed class ProtocolException(ProtocolError error) : Exception(error.Description)
{
    public ProtocolError Error { get; } = error;

    public static ProtocolException Missing(IReadOnlyList<string> names) =>
        new(new ProtocolError(ErrorCode.MissingRequiredField, "missing required field(s): " + string.Join(", ", names)) { MissingFieldNames = names });
    public static ProtocolException InvalidField(string description) => new(new ProtocolError(ErrorCode.InvalidFieldValue, description));
    public static ProtocolException UnknownIdentifier(string type, string description) =>
        new(new ProtocolError(ErrorCode.InvalidIdentifier, description) { InvalidIdentifierType = type });
    public static ProtocolException Precondition(string description) => new(new ProtocolError(ErrorCode.PreconditionViolation, description));
}
