using Payments.Core.Idempotency;
using Microsoft.Azure.Functions.Worker;
using Payments.Core.Finishing;
using Payments.Core.Hosting;

namespace Payments.Functions;

/// <summary>One queue-triggered function per queue of <see cref="QueueNames.All"/>, named by its app setting
/// (<see cref="StorageNamesOptions"/>: the prefixed name; the host resolves <c>%Storage:RefundsQueue%</c> from
/// <c>Storage__RefundsQueue</c>). The message text
/// arrives decoded per host.json's extensions.queues.messageEncoding; a throw makes the host retry
/// and, after maxDequeueCount, move the message to its -poison twin. The connection is the app's
/// own (<see cref="Payments.Core.Storage.StorageConnectionOptions.Section"/>): a connection string locally, PaymentsStorage__queueServiceUri
/// + managed identity in Azure.</summary>
public sealed class QueueFunctions(
    RefundWorker refunds,
    ReservationCancellationWorker reservationCancellations,
    NotificationWorker notifications,
    BookingWorker bookings)
{
    [Function("FinishRefund")]
    public Task FinishRefund(
        [QueueTrigger("%Storage:RefundsQueue%", Connection = "PaymentsStorage")] string message,
        CancellationToken cancellationToken)
        => refunds.ProcessAsync(message, cancellationToken);

    [Function("FinishReservationCancellation")]
    public Task FinishReservationCancellation(
        [QueueTrigger("%Storage:ReservationCancellationsQueue%", Connection = "PaymentsStorage")] string message,
        CancellationToken cancellationToken)
        => reservationCancellations.ProcessAsync(message, cancellationToken);

    [Function("SendNotification")]
    public Task SendNotification(
        [QueueTrigger("%Storage:NotificationsQueue%", Connection = "PaymentsStorage")] string message,
        CancellationToken cancellationToken)
        => notifications.ProcessAsync(message, cancellationToken);

    [Function("FinishBooking")]
    public Task FinishBooking(
        [QueueTrigger("%Storage:BookingsQueue%", Connection = "PaymentsStorage")] string message,
        CancellationToken cancellationToken)
        => bookings.ProcessAsync(message, cancellationToken);
}
