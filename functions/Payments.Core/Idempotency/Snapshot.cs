using Microsoft.Extensions.Logging;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Transactions;

namespace Payments.Core.Idempotency;

/// <summary>What the partition held when the decision was taken.</summary>
public sealed class Snapshot(TableEntity? state, IReadOnlyDictionary<string, TableEntity> rows, DateTimeOffset now)
{
    public TableEntity? State { get; } = state;
    public IReadOnlyDictionary<string, TableEntity> Rows { get; } = rows;
    public DateTimeOffset Now { get; } = now;
}
