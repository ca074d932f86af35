using Azure;
using Azure.Data.Tables;
using Payments.Core.Storage;
using Payments.Core.Idempotency;

namespace Payments.Core.Transactions;

/// <summary>A row of table <c>requests</c> (docs/storage.md): a reference number, unique per PIAID, and the
/// transaction partition it was issued for. Its one property is declared here, with the one mapping.</summary>
/// <param name="Anchor">the partition of the transaction (generate call) that drew the number</param>
public sealed record ReferenceNumberIndexRow(string PaymentIntegratorAccountId, string ReferenceNumber, string Anchor)
{
    private const string AnchorName = nameof(Anchor);

    public string PartitionKey => Keys.ReferenceNumberIndexPartition(PaymentIntegratorAccountId, ReferenceNumber);
    public string RowKey => Keys.IndexRow(PartitionKey);

    public TableEntity ToEntity() => new(PartitionKey, RowKey) { [AnchorName] = Anchor };

    /// <summary>What a lookup reads.</summary>
    public static readonly string[] Select = TableCalls.WithKeys(AnchorName);

    /// <summary>The transaction partition a read row points at (null: no such number).</summary>
    public static string? AnchorOf(TableEntity? row) => row?.GetString(AnchorName);

    /// <summary>Index rows pointing at <paramref name="partition"/>.</summary>
    public static string AnchorFilter(string partition) => $"{AnchorName} eq {TableClient.CreateQueryFilter($"{partition}")}";

    /// <summary>Reads the row of <paramref name="referenceNumber"/>, or null.</summary>
    public static Task<TableEntity?> ReadAsync(TableClient requests, string piaid, string referenceNumber, CancellationToken cancellationToken)
    {
        var partition = Keys.ReferenceNumberIndexPartition(piaid, referenceNumber);
        return requests.GetOrNullAsync(partition, Keys.IndexRow(partition), Select, cancellationToken);
    }
}
