namespace Payments.LocalHost.Queues;

/// <summary>Settings of the local pump that host.json does not carry.</summary>
public sealed record QueuePumpOptions
{
    /// <summary>Visibility lease taken on receive and renewed while the handler runs (every third of it).
    /// Also how long a message stays hidden after a crash of this process. Default 10 s.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>First wait after an empty poll (doubles, randomised, up to host.json maxPollingInterval). Default 100 ms.</summary>
    public TimeSpan MinPollingInterval { get; init; } = TimeSpan.FromMilliseconds(100);
}
