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

/// <summary>
/// The one optimistic-concurrency loop of the app: read → decide → ETag-conditional commit → on a conflict
/// decide again. A conflict is 412 (a row the commit merges or replaces changed since it was read) or 409 (a
/// row it inserts exists: a concurrent duplicate, or this very commit applied by a try whose answer was lost
/// and retried by the client); both mean another writer was first, and what it wrote is read next time. Any
/// other failure ends the loop. After <see cref="MaxAttempts"/> decisions that all lost, the caller is told
/// to retry (<see cref="ConcurrencyConflictException"/>). Between attempts a short random back-off, growing
/// with the attempt, keeps colliding writers from colliding again.
/// </summary>
public static class CommitLoop
{
    public const int MaxAttempts = 32;

    public static bool IsConflict(RequestFailedException e) => e.Status is 409 or 412;

    /// <param name="decide">one attempt (numbered from 1): read what the decision needs and decide</param>
    /// <param name="conflict">what a lost commit leaves to tidy up, before the next attempt (optional)</param>
    /// <param name="what">what kept changing, for the caller's error</param>
    public static async Task<T> RunAsync<T>(TableClient table, Func<int, CancellationToken, ValueTask<CommitDecision<T>>> decide,
        string what, TimeProvider time, CancellationToken cancellationToken, Func<int, RequestFailedException?, ValueTask>? conflict = null)
    {
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var decision = await decide(attempt, cancellationToken).ConfigureAwait(false);
            if (decision.HasResult) return decision.Result!;
            if (decision.Actions is { } actions)
            {
                try
                {
                    return decision.Committed!(await CommitAsync(table, actions, cancellationToken).ConfigureAwait(false));
                }
                catch (RequestFailedException e) when (IsConflict(e))
                {
                    if (conflict is not null) await conflict(attempt, e).ConfigureAwait(false);
                    if (decision.AtOnce) continue;
                }
            }
            else if (conflict is not null) await conflict(attempt, null).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 4 + 2 * Math.Min(attempt, 10))), time, cancellationToken).ConfigureAwait(false);
        }
        throw new ConcurrencyConflictException($"{what} kept changing; retry");
    }

    /// <summary>One action goes as a plain request (cheaper than a batch of one), several as a batch.</summary>
    private static async Task<IReadOnlyList<ETag>> CommitAsync(TableClient table, IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        if (actions.Count == 1 && actions[0] is { ActionType: TableTransactionActionType.UpdateMerge } merge && merge.ETag != default)
            return [await table.MergeAsync(merge.Entity, merge.ETag, cancellationToken).ConfigureAwait(false)];
        return await table.SubmitAsync(actions, cancellationToken).ConfigureAwait(false);
    }
}
