namespace Payments.Core.Settlement;

/// <summary>A call to Google failed. <see cref="Retryable"/>: the same call may succeed later (timeout, transport
/// error, 5xx, 429); otherwise it needs a person (other 4xx, an ErrorResponse, the empty 404 of key/PIAID trouble).</summary>
/// <param name="Status">the HTTP status, when an answer came</param>
public sealed class GoogleCallFailedException(string message, bool retryable, int? status, Exception? inner = null) : Exception(message, inner)
{
    public bool Retryable { get; } = retryable;
    public int? Status { get; } = status;
}
