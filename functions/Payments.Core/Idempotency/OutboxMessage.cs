using Microsoft.Extensions.Logging;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Transactions;

namespace Payments.Core.Idempotency;

/// <summary>Work the commit creates: the operation <paramref name="Item"/> names, started on <paramref name="Queue"/>.</summary>
public sealed record OutboxMessage(string Queue, WorkItem Item);
