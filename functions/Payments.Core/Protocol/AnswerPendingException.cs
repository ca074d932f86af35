namespace Payments.Core.Protocol;

/// <summary>The call's effect is recorded but its final answer is not known yet (a back-office booking took longer
/// than the bounded wait, or failed): HTTP 503 without a body, never stored; Google retries with the same requestId
/// and gets the final answer (docs/protocol.md §12).</summary>
public sealed class AnswerPendingException(string message) : Exception(message);
