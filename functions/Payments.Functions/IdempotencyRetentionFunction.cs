using Microsoft.Azure.Functions.Worker;
using Payments.Core.Idempotency;

namespace Payments.Functions;

/// <summary>Deletes idempotency records past their retention, on <see cref="IdempotencyRetention.Schedule"/>
/// (the local host sweeps hourly from its start). Its own timer: a long sweep never delays the relay.</summary>
public sealed class IdempotencyRetentionFunction(IdempotencyRetention retention)
{
    [Function("IdempotencyRetention")]
    public Task Run(
        [TimerTrigger(IdempotencyRetention.Schedule)] TimerInfo timer,
        CancellationToken cancellationToken)
        => retention.SweepAsync(cancellationToken);
}
