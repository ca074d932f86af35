namespace Payments.Core.Security;

public sealed class EnvelopeException(EnvelopeFailure failure, string message, Exception? inner = null) : Exception(message, inner)
{
    public EnvelopeFailure Failure { get; } = failure;
}
