namespace Payments.Core.Transactions;

/// <summary>The ledger payload of a synchronous capture or refund whose back-office booking has no answer yet: the
/// SUCCESS answer it will give, wrapped. Never sent: a call (or replay) that finds it books first (docs/protocol.md,
/// Decisions), and the booking's commit replaces it with the final answer.</summary>
public static class PendingAnswer
{
    private const string Prefix = "{\"bookingPending\":";

    public static string Wrap(string successPayload) => Prefix + successPayload + "}";

    public static bool IsPending(string payload) => payload.StartsWith(Prefix, StringComparison.Ordinal);

    /// <returns>the SUCCESS answer a pending payload carries</returns>
    public static string Unwrap(string payload) =>
        IsPending(payload) ? payload[Prefix.Length..^1] : throw new InvalidOperationException("not a pending answer");
}
