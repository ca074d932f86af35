namespace Payments.Core.Protocol;

internal static class ErrorCodes
{
    public static int HttpStatus(this ErrorCode code) => code switch
    {
        ErrorCode.InvalidPayloadSignature => 401,
        ErrorCode.Forbidden => 403,
        ErrorCode.InvalidIdentifier => 404,
        ErrorCode.IdempotencyViolation => 412,
        _ => 400,
    };

    /// <summary>v1 <c>errorResponseCode</c>.</summary>
    public static string V1Name(this ErrorCode code) => code switch
    {
        ErrorCode.InvalidApiVersion => "INVALID_API_VERSION",
        ErrorCode.InvalidPayloadSignature => "INVALID_PAYLOAD_SIGNATURE",
        ErrorCode.InvalidPayloadEncryption => "INVALID_PAYLOAD_ENCRYPTION",
        ErrorCode.RequestTimestampOutOfRange => "REQUEST_TIMESTAMP_OUT_OF_RANGE",
        ErrorCode.InvalidIdentifier => "INVALID_IDENTIFIER",
        ErrorCode.IdempotencyViolation => "IDEMPOTENCY_VIOLATION",
        ErrorCode.InvalidFieldValue => "INVALID_FIELD_VALUE",
        ErrorCode.MissingRequiredField => "MISSING_REQUIRED_FIELD",
        ErrorCode.PreconditionViolation => "PRECONDITION_VIOLATION",
        ErrorCode.InvalidDecryptedRequest => "INVALID_DECRYPTED_REQUEST",
        ErrorCode.Forbidden => "FORBIDDEN",
        _ => throw new ArgumentOutOfRangeException(nameof(code)),
    };

    /// <summary>v2 <c>errorResponseResult</c> union member.</summary>
    public static string V2Member(this ErrorCode code) => code switch
    {
        ErrorCode.InvalidApiVersion => "invalidApiVersion",
        ErrorCode.InvalidPayloadSignature => "invalidPayloadSignature",
        ErrorCode.InvalidPayloadEncryption => "invalidPayloadEncryption",
        ErrorCode.RequestTimestampOutOfRange => "requestTimestampOutOfRange",
        ErrorCode.InvalidIdentifier => "invalidIdentifier",
        ErrorCode.IdempotencyViolation => "idempotencyViolation",
        ErrorCode.InvalidFieldValue => "invalidFieldValue",
        ErrorCode.MissingRequiredField => "missingRequiredField",
        ErrorCode.PreconditionViolation => "preconditionViolation",
        ErrorCode.InvalidDecryptedRequest => "invalidDecryptedRequest",
        ErrorCode.Forbidden => "forbidden",
        _ => throw new ArgumentOutOfRangeException(nameof(code)),
    };
}
