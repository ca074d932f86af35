using Microsoft.Extensions.Logging;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Transactions;

namespace Payments.Core.Idempotency;

/// <summary>A decision: the response payload and the writes that make it true, committed with the
/// ledger entry in one entity group transaction; the messages' operations are indexed in the outbox
/// before the commit and the messages put after it.</summary>
public sealed record CommitPlan(string Payload, IReadOnlyList<TableTransactionAction> Actions, IReadOnlyList<OutboxMessage> Messages)
{
    public static CommitPlan Answer(string payload) => new(payload, [], []);

    /// <summary>Gives back what the decision wrote outside the commit (a reference number's index row) when
    /// this plan is certainly not committed (its commit conflicted, or the call failed before it); best effort.</summary>
    public Func<CancellationToken, Task>? Abandon { get; init; }

    /// <summary>Writes what must exist before the commit and may outlive a commit that never happens (the money
    /// journal's lookup rows); awaited once per decision, after the outbox index.</summary>
    public Func<CancellationToken, Task>? BeforeCommit { get; init; }
}
