using System.Globalization;
using Azure.Data.Tables;
using Payments.Core.Storage;

namespace Payments.Core.Journal;

/// <summary>The lookup rows of table <c>journal</c>: partition <c>{PIAID}</c>, one row <c>ev|{eventRequestId}</c>
/// (found by Google's requestId in one point read) and one row <c>at|{ticks}|{eventRequestId}</c> (listed by time),
/// each naming the transaction partition of the authoritative record. Written before the commit they describe,
/// so a row may describe a commit that never happened: readers confirm it (<see cref="MoneyJournal"/>).</summary>
public static class JournalRows
{
    private const string PartitionName = "Partition", AtName = "At";

    public static string Partition(string piaid) => TableKeys.Escape(piaid);
    public static string EventRow(string eventRequestId) => "ev|" + TableKeys.Escape(eventRequestId);
    /// <summary>Fixed-width ticks, so row-key order is time order.</summary>
    public static string TimeRow(DateTimeOffset at, string eventRequestId) =>
        "at|" + at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "|" + TableKeys.Escape(eventRequestId);
    public static string TimeRowFrom(DateTimeOffset at) => "at|" + at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);

    public static TableEntity Event(MoneyMovement m) => Pointer(EventRow(m.EventRequestId), m);
    public static TableEntity Time(MoneyMovement m) => Pointer(TimeRow(m.At, m.EventRequestId), m);

    private static TableEntity Pointer(string row, MoneyMovement m) =>
        new(Partition(m.PaymentIntegratorAccountId), row) { [PartitionName] = m.Partition, [AtName] = m.At, ["EventRequestId"] = m.EventRequestId };

    /// <summary>The transaction partition a lookup row points at, Google's requestId, and the time it was written with.</summary>
    public static (string Partition, string EventRequestId, DateTimeOffset At) Target(TableEntity e) =>
        (e.GetString(PartitionName), e.GetString("EventRequestId"), e.GetDateTimeOffset(AtName) ?? default);

    public static readonly string[] TargetSelect = TableCalls.WithKeys(PartitionName, "EventRequestId", AtName);
}
