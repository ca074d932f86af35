using Microsoft.Extensions.Logging;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Transactions;

namespace Payments.Core.Idempotency;

/// <summary>Work the commit creates: the operation <paramref name="Item"/> names, started on <paramref name="Queue"/>.</summary>
public sealed record OutboxMessage(string Queue, WorkItem Item)
{
    /// <summary>Hidden until then: work the call itself will most likely finish (a synchronous booking), which the
    /// worker only takes up should the call not.</summary>
    public TimeSpan? Delay { get; init; }
}
