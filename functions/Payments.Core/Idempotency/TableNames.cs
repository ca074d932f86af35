namespace Payments.Core.Idempotency;

/// <summary>Tables this app uses (declared in infra/ too; a consistency test checks).</summary>
public static class TableNames
{
    /// <summary>State of every transaction (reference numbers, refunds, reservations, mandates), the
    /// idempotency ledger entries and outbox entries of that transaction, one partition per transaction.</summary>
    public const string Transactions = "transactions";
    /// <summary>Idempotency markers (one per method + PIAID + requestId) and lookup indexes.</summary>
    public const string Requests = "requests";
    /// <summary>One row per unfinished operation (written before the commit that creates it, deleted
    /// when it is done): what the outbox relay reads instead of scanning every transaction.</summary>
    public const string Outbox = "outbox";
    /// <summary>The money journal's lookup rows: every money movement by account and Google's requestId, and by
    /// account and time (the movements themselves are recorded in <see cref="Transactions"/>).</summary>
    public const string Journal = "journal";
    public static readonly IReadOnlyList<string> All = [Transactions, Requests, Outbox, Journal];
}
