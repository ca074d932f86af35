namespace Payments.Core.Idempotency;

/// <summary>Queues this app uses; each has a <c>-poison</c> twin (declared in infra/ too).</summary>
public static class QueueNames
{
    public const string Refunds = "refunds";
    public const string ReservationCancellations = "reservation-cancellations";
    public const string Notifications = "notifications";
    /// <summary>Remittance statements to reconcile and accept.</summary>
    public const string Statements = "statements";
    /// <summary>Synchronous captures and refunds whose back-office booking the call itself did not finish.</summary>
    public const string Bookings = "bookings";
    public static readonly IReadOnlyList<string> All = [Refunds, ReservationCancellations, Notifications, Statements, Bookings];
    public static string Poison(string queue) => queue + "-poison";
}
