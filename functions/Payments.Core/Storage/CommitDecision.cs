using Azure;
using Azure.Data.Tables;

namespace Payments.Core.Storage;

/// <summary>What one attempt of a <see cref="CommitLoop"/> decided, on the rows it read.</summary>
public readonly struct CommitDecision<T>
{
    private CommitDecision(T? result, IReadOnlyList<TableTransactionAction>? actions, Func<IReadOnlyList<ETag>, T>? committed, bool atOnce)
    {
        Result = result;
        Actions = actions;
        Committed = committed;
        AtOnce = atOnce;
    }

    internal T? Result { get; }
    internal IReadOnlyList<TableTransactionAction>? Actions { get; }
    internal Func<IReadOnlyList<ETag>, T>? Committed { get; }
    internal bool AtOnce { get; }
    internal bool HasResult { get; private init; }

    /// <summary>The answer, with nothing to write (a replay, a refusal, nothing left to do).</summary>
    public static CommitDecision<T> Answer(T result) => new(result, null, null, false) { HasResult = true };

    /// <summary>Write <paramref name="actions"/> (one partition, each conditional on the ETag it was read with);
    /// once committed, the answer is <paramref name="committed"/> of the new ETags.</summary>
    /// <param name="atOnce">on a conflict, decide again without the back-off (the attempt read nothing, so the
    /// conflict most likely means the rows exist: a replay)</param>
    public static CommitDecision<T> Commit(IReadOnlyList<TableTransactionAction> actions, Func<IReadOnlyList<ETag>, T> committed, bool atOnce = false)
    {
        ArgumentNullException.ThrowIfNull(actions);
        ArgumentNullException.ThrowIfNull(committed);
        return new(default, actions, committed, atOnce);
    }

    /// <summary>What was read changed while deciding (another writer got there first): read and decide again.</summary>
    public static CommitDecision<T> Again => default;
}
