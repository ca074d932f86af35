using Payments.Core.Idempotency;

namespace Payments.Core.Transactions;

/// <summary>Finishes a synchronous capture's or refund's back-office booking within the call (implemented by the
/// finishing workers, who also finish it when the call does not).</summary>
public interface IBookingFinisher
{
    /// <summary>Books the operation <paramref name="operation"/> names, waiting at most
    /// <c>BackOffice:SynchronousBookingTimeout</c>, and commits the final answer.</summary>
    /// <returns>the final answer</returns>
    /// <exception cref="Protocol.AnswerPendingException">no final answer within the wait (or the back office is down)</exception>
    Task<string> FinishAsync(WorkItem operation, CancellationToken cancellationToken);
}
