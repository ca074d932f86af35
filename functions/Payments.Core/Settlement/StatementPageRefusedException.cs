namespace Payments.Core.Settlement;

/// <summary>Google answered a details call with a page we refuse to read (too large, not JSON, too many events).
/// Not retried blindly: the same call gives the same page.</summary>
public sealed class StatementPageRefusedException(string message) : Exception(message);
