using Azure.Data.Tables;
using Payments.Core.Storage;

namespace Payments.Core.Idempotency;

/// <summary>A ledger entry, row <c>req|{method}|{requestId}</c> of a transaction partition (docs/storage.md): the
/// stored answer to one call. Its property names and types are declared here, once, with the one mapping.</summary>
/// <param name="Fingerprint">SHA-256 of the call's canonical body (without <c>requestTimestamp</c>)</param>
/// <param name="Payload">the response payload every replay returns (a synchronous booking's pending answer is
/// replaced once, by the booking's commit)</param>
/// <param name="RetainUntil">when retention may delete it</param>
public sealed record LedgerEntryRow(string Partition, string Row, string Method, string RequestId, string Fingerprint, string Payload,
    DateTimeOffset CreatedAt, DateTimeOffset RetainUntil)
{
    private const string MethodName = nameof(Method), RequestIdName = nameof(RequestId), FingerprintName = nameof(Fingerprint),
        PayloadName = nameof(Payload), CreatedAtName = nameof(CreatedAt), RetainUntilName = nameof(RetainUntil);

    /// <summary>The whole row (inserted; only a pending answer is merged later).</summary>
    public TableEntity ToEntity() => new(Partition, Row)
    {
        [FingerprintName] = Fingerprint, [PayloadName] = Payload, [MethodName] = Method, [RequestIdName] = RequestId,
        [CreatedAtName] = CreatedAt, [RetainUntilName] = RetainUntil,
    };

    public static LedgerEntryRow From(TableEntity entity) =>
        new(entity.PartitionKey, entity.RowKey, entity.GetString(MethodName) ?? "", entity.GetString(RequestIdName) ?? "",
            entity.GetString(FingerprintName) ?? "", entity.GetString(PayloadName) ?? throw new InvalidOperationException("ledger entry without payload"),
            entity.GetDateTimeOffset(CreatedAtName) ?? DateTimeOffset.MinValue, entity.GetDateTimeOffset(RetainUntilName) ?? DateTimeOffset.MinValue);

    /// <summary>The merge that makes a pending answer final: <c>Payload</c>, nothing else.</summary>
    public TableEntity PayloadMerge(string payload) => new(Partition, Row) { [PayloadName] = payload };

    /// <summary>The least a read that only asks whether an entry exists selects.</summary>
    public static readonly string[] ExistsSelect = TableCalls.WithKeys(FingerprintName);

    /// <summary>What retention reads of an entry (it deletes by ETag).</summary>
    public static readonly string[] RetentionSelect = TableCalls.WithKeys(RetainUntilName);

    /// <summary>Entries retention may delete at <paramref name="now"/>.</summary>
    public static string ExpiredFilter(DateTimeOffset now) => $"{RetainUntilName} lt {TableClient.CreateQueryFilter($"{now}")}";
}
