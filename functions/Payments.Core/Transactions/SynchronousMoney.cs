using Payments.Core.Idempotency;
using Payments.Core.Journal;

namespace Payments.Core.Transactions;

/// <summary>Commits a synchronous money movement (capture, refund) as final: the state change, the answer and the
/// journal's authoritative row in one batch, the journal's lookup rows just before it.</summary>
public sealed class SynchronousMoney(MoneyJournal journal)
{
    /// <summary>The commit of <paramref name="decision"/>, answering its SUCCESS payload.</summary>
    public CommitPlan Plan(MoneyDecision decision) =>
        new(decision.Payload, [.. decision.Actions, MoneyJournal.Record(decision.Movement)], [])
        {
            BeforeCommit = ct => journal.IndexAsync(decision.Movement, ct),
        };

    /// <summary>The answer of a call whose ledger returned <paramref name="payload"/>.</summary>
    public Task<string> FinishAsync(string payload, CancellationToken cancellationToken) => Task.FromResult(payload);
}
