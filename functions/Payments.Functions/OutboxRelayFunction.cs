using Microsoft.Azure.Functions.Worker;
using Payments.Core.Finishing;
using Payments.Core.Hosting;

namespace Payments.Functions;

/// <summary>Re-enqueues outbox entries whose queue message was lost, on <see cref="OutboxRelay.Schedule"/>
/// (the local host runs the same relay in a loop). The timer is a singleton across instances.</summary>
public sealed class OutboxRelayFunction(OutboxRelay relay)
{
    [Function("OutboxRelay")]
    public Task Run(
        [TimerTrigger(OutboxRelay.Schedule)] TimerInfo timer,
        CancellationToken cancellationToken)
        => relay.RunOnceAsync(cancellationToken);
}
