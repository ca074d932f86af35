using Payments.Core.Protocol;

namespace Payments.Core.Finishing;

/// <summary>The finishing backlog is at <see cref="FinishingOptions.MaxBacklog"/>: HTTP 503, nothing
/// written; Google retries (docs/protocol.md §4).</summary>
internal sealed class FinishingBacklogFullException(long depth, int maxBacklog)
    : LoadSheddingException($"finishing backlog {depth} ≥ {maxBacklog}; retry later")
{
    public long Depth { get; } = depth;
}
