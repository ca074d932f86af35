namespace Payments.Core.Storage;

/// <summary>Our own concurrency aborted the call (the same key is still in flight, or the state kept
/// changing under us): HTTP 409 without a body; Google retries (docs/protocol.md §4, §5).</summary>
public sealed class ConcurrencyConflictException(string message) : Exception(message);
