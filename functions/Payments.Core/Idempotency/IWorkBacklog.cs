namespace Payments.Core.Idempotency;

/// <summary>How far behind the finishing of asynchronous work is: the ledger asks before it commits
/// new work (implemented by the finishing backlog, which sits above this layer).</summary>
public interface IWorkBacklog
{
    /// <summary>True when new asynchronous work must be refused now.</summary>
    ValueTask<bool> IsFullAsync(CancellationToken cancellationToken);

    /// <summary>Throws a <see cref="Protocol.LoadSheddingException"/> when new asynchronous work must be refused now.</summary>
    ValueTask EnsureRoomAsync(CancellationToken cancellationToken);
}
