using System.ComponentModel.DataAnnotations;

namespace Payments.Core.Idempotency;

/// <summary>
/// The names of the app's tables and queues: <see cref="TableNames"/> and <see cref="QueueNames"/> behind an
/// optional <see cref="NamePrefix"/>, so several apps (or test classes) can share one storage account without
/// seeing each other's rows or taking each other's messages. Rows and messages hold the unprefixed names; the
/// prefix is applied where a name becomes a client (<see cref="TransactionStore"/>). The queue triggers name
/// their queues through the <c>%Storage:…Queue%</c> app settings, which must hold the prefixed names.
/// </summary>
public sealed class StorageNamesOptions
{
    public const string Section = "Storage";
    /// <summary>Put before every table and queue name; empty (the default) gives the names in infra/. Letters and
    /// digits only, starting with a letter: a table name allows nothing else (3–63 characters); 24 keeps the
    /// longest name, the reservation-cancellations poison queue (32), within 63.</summary>
    [RegularExpression("^([a-z][a-z0-9]{0,23})?$", ErrorMessage = "must be empty or up to 24 lowercase letters and digits, starting with a letter")]
    public string NamePrefix { get; set; } = "";

    /// <summary>The refunds queue as the queue trigger reads it: NamePrefix + "refunds".</summary>
    public string RefundsQueue { get; set; } = QueueNames.Refunds;
    public string ReservationCancellationsQueue { get; set; } = QueueNames.ReservationCancellations;
    public string NotificationsQueue { get; set; } = QueueNames.Notifications;
    public string StatementsQueue { get; set; } = QueueNames.Statements;
    public string BookingsQueue { get; set; } = QueueNames.Bookings;

    /// <summary>The settings that give a host the prefix <paramref name="prefix"/>: the prefix and the
    /// trigger queue names.</summary>
    public static IReadOnlyDictionary<string, string?> SettingsFor(string prefix) => new Dictionary<string, string?>
    {
        [$"{Section}:{nameof(NamePrefix)}"] = prefix,
        [$"{Section}:{nameof(RefundsQueue)}"] = prefix + QueueNames.Refunds,
        [$"{Section}:{nameof(ReservationCancellationsQueue)}"] = prefix + QueueNames.ReservationCancellations,
        [$"{Section}:{nameof(NotificationsQueue)}"] = prefix + QueueNames.Notifications,
        [$"{Section}:{nameof(StatementsQueue)}"] = prefix + QueueNames.Statements,
        [$"{Section}:{nameof(BookingsQueue)}"] = prefix + QueueNames.Bookings,
    };

    /// <summary>Trigger settings that do not name the queue the app writes to: a message would wait forever.</summary>
    internal IEnumerable<string> Mismatches()
    {
        if (RefundsQueue != NamePrefix + QueueNames.Refunds) yield return nameof(RefundsQueue);
        if (ReservationCancellationsQueue != NamePrefix + QueueNames.ReservationCancellations) yield return nameof(ReservationCancellationsQueue);
        if (NotificationsQueue != NamePrefix + QueueNames.Notifications) yield return nameof(NotificationsQueue);
        if (StatementsQueue != NamePrefix + QueueNames.Statements) yield return nameof(StatementsQueue);
        if (BookingsQueue != NamePrefix + QueueNames.Bookings) yield return nameof(BookingsQueue);
    }
}
