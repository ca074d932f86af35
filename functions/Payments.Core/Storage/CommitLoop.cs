using Azure;
using Azure.Data.Tables;

namespace Payments.Core.Storage;

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
