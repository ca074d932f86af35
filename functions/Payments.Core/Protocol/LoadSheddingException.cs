namespace Payments.Core.Protocol;

/// <summary>New work is refused to shed load: HTTP 503 without a body, nothing written; Google retries
/// (docs/protocol.md §4). Thrown by the layer that measures the load (the finishing backlog), so the
/// processor needs to know only this type.</summary>
internal abstract class LoadSheddingException(string message) : Exception(message);
