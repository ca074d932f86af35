namespace Payments.Core.Security;

public enum EnvelopeFailure
{
    /// <summary>Not encrypted to a key of ours, not an encrypted message at all, or not decodable → 400 INVALID_PAYLOAD_ENCRYPTION.</summary>
    InvalidEncryption,
    /// <summary>No valid signature from a known, active Google key → 401 INVALID_PAYLOAD_SIGNATURE.</summary>
    InvalidSignature,
}
