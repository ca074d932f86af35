using Azure;
using Azure.Data.Tables;
using Payments.Core.Storage;

namespace Payments.Core.Idempotency;

/// <summary>An idempotency marker, row <c>{method}|{digest}</c> of partition <c>{PIAID}|{requestId}</c> in table
/// <c>requests</c> (docs/storage.md): which transaction and which body a call's key belongs to. Its property
/// names and types are declared here, once, with the one mapping.</summary>
/// <param name="Anchor">the transaction partition the call acts on</param>
/// <param name="CreatedAt">when the call claimed the key</param>
public sealed record MarkerRow(string Partition, string Row, string Method, string Anchor, string Fingerprint, DateTimeOffset CreatedAt)
{
    private const string MethodName = nameof(Method), AnchorName = nameof(Anchor), FingerprintName = nameof(Fingerprint), CreatedAtName = nameof(CreatedAt);

    /// <summary>As read: the ETag a conditional replace of it needs.</summary>
    public ETag ETag { get; init; }

    /// <summary>The marker of <paramref name="request"/>, claimed at <paramref name="now"/>.</summary>
    public static MarkerRow For(IdempotentRequest request, DateTimeOffset now)
    {
        var partition = Keys.MarkerPartition(request.PaymentIntegratorAccountId, request.RequestId);
        return new(partition, Keys.MarkerRow(partition, request.MethodKey), request.MethodKey, request.Partition, request.Fingerprint, now);
    }

    /// <summary>The whole row (an insert or replace).</summary>
    public TableEntity ToEntity() => new(Partition, Row)
    {
        [MethodName] = Method, [AnchorName] = Anchor, [FingerprintName] = Fingerprint, [CreatedAtName] = CreatedAt,
    };

    public static MarkerRow From(TableEntity entity) =>
        new(entity.PartitionKey, entity.RowKey, entity.GetString(MethodName) ?? "", entity.GetString(AnchorName) ?? "",
            entity.GetString(FingerprintName) ?? "", entity.GetDateTimeOffset(CreatedAtName) ?? DateTimeOffset.MinValue)
        { ETag = entity.ETag };

    /// <summary>What a lookup of the transaction reads.</summary>
    public static readonly string[] AnchorSelect = TableCalls.WithKeys(AnchorName);

    /// <summary>The transaction partition a read marker points at (null: no marker).</summary>
    public static string? AnchorOf(TableEntity? row) => row?.GetString(AnchorName);

    /// <summary>What retention reads of a marker (it deletes by ETag).</summary>
    public static readonly string[] RetentionSelect = TableCalls.WithKeys(CreatedAtName);

    /// <summary>Markers claimed before <paramref name="before"/>.</summary>
    public static string CreatedBeforeFilter(DateTimeOffset before) => $"{CreatedAtName} lt {TableClient.CreateQueryFilter($"{before}")}";
}
