namespace Payments.Core.Storage;

/// <summary>Told after this process put a message on one of its own queues. The local host wakes
/// that queue's pump (the Functions host does the same for its own puts); in Azure it is a no-op.</summary>
public interface IQueueSignal
{
    void Enqueued(string queue);
}

internal sealed class NoQueueSignal : IQueueSignal
{
    public void Enqueued(string queue) { }
}
