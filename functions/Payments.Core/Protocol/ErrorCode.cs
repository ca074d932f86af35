namespace Payments.Core.Protocol;

/// <summary>The ErrorResponse codes of docs/protocol.md §4 that this integrator sends.</summary>
public enum ErrorCode
{
    InvalidApiVersion,
    InvalidPayloadSignature,
    InvalidPayloadEncryption,
    RequestTimestampOutOfRange,
    InvalidIdentifier,
    IdempotencyViolation,
    InvalidFieldValue,
    MissingRequiredField,
    PreconditionViolation,
    InvalidDecryptedRequest,
    Forbidden,
}
