using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Payments.Core.Idempotency;
using Payments.Core.Journal;
using Payments.Core.Storage;

namespace Payments.Core.Settlement;

/// <summary>Storage keys and the ids we derive for one remittance statement (docs/storage.md, "Remittance
/// statements"). Everything of a statement but its settled-event rows lives in one transactions partition,
/// so a page's results, the statement's next offset and its operation commit together.</summary>
public static class StatementKeys
{
    /// <summary>The statement's partition: its state, ledger entry, operation, page and event rows.</summary>
    public static string Partition(string piaid, string statementId) => $"{piaid}|st|{TableKeys.Escape(statementId)}";
    public static string StateRow(string partition) => Keys.StateRow(partition);
    public static string OperationRow(string statementId) => Keys.OperationRow(statementId);

    /// <summary>One page's results (counts, sums, problems), by the page's offset: fixed width, so row order is page order.</summary>
    public static string PageRow(long offset) => "pg|" + offset.ToString("D19", CultureInfo.InvariantCulture);
    /// <summary>One chunk of a page's per-event match rows.</summary>
    public static string EventRow(long offset, int chunk) => $"ev|{offset.ToString("D19", CultureInfo.InvariantCulture)}|{chunk.ToString("D4", CultureInfo.InvariantCulture)}";
    public const string EventRowsFrom = "ev|", EventRowsTo = "ev}";
    /// <summary>One chunk of our movements of the period that the statement lacks.</summary>
    public static string MissingRow(int chunk) => "mm|" + chunk.ToString("D8", CultureInfo.InvariantCulture);
    public const string MissingRowsFrom = "mm|", MissingRowsTo = "mm}";

    /// <summary>Table <c>journal</c>, partition of the account: the event Google's <paramref name="eventRequestId"/>
    /// names appeared on a statement (which, and where): a second appearance anywhere is a duplicate.</summary>
    public static string SettledRow(string eventRequestId) => "settled|" + TableKeys.Escape(eventRequestId);

    /// <summary>Table <c>journal</c>, partition of the account: the movement at <paramref name="at"/> was named by a
    /// statement. The key after its prefix is the journal's time row's (<see cref="JournalRows.TimeRow"/>).</summary>
    public static string SettledAtRow(DateTimeOffset at, string eventRequestId) => "sa|" + JournalRows.TimeRow(at, eventRequestId)[3..];
    /// <summary>The first settled-at key at or after <paramref name="at"/>.</summary>
    public static string SettledAtFrom(DateTimeOffset at) => "sa|" + JournalRows.TimeRowFrom(at)[3..];

    /// <summary>remittanceStatementDetails requestId for the page at <paramref name="offset"/>: the same for every
    /// retry of that page, ≤ 100 characters of [A-Za-z0-9:_-].</summary>
    public static string PageRequestId(string piaid, string statementId, long offset) =>
        "RSD-" + Digest(piaid, statementId, 24) + "-" + offset.ToString(CultureInfo.InvariantCulture);

    /// <summary>acceptRemittanceStatement requestId: one per statement, whoever sends it, however often.</summary>
    public static string AcceptRequestId(string piaid, string statementId) => "ARS-" + Digest(piaid, statementId, 32);

    /// <summary>v1 paymentIntegratorStatementId: ours, derived, so a re-delivery gets the same one.</summary>
    public static string PaymentIntegratorStatementId(string piaid, string statementId) => "PIS-" + Digest(piaid, statementId, 24);

    private static string Digest(string piaid, string statementId, int hexDigits) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(piaid + "\n" + statementId)))[..hexDigits];
}
