using System.Buffers;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Idempotency;
using Payments.Core.Storage;

namespace Payments.Core.Transactions;

/// <summary>
/// What operators see for one (PIAID, requestId): every call made with that requestId, the
/// transaction it acted on, the stored response, and any asynchronous work with its steps.
/// </summary>
public sealed class OperationRecords(TransactionStore store, OutboxIndex outbox)
{
    /// <summary>Operations listed per call of <see cref="NeedsAttentionAsync"/>.</summary>
    public const int MaxListed = 100;

    /// <summary>The operations parked for an operator (oldest keys first), each with what the operator
    /// needs to act: the call's PIAID and requestId (for the requeue route), why it was parked, and when.</summary>
    public async Task<byte[]> NeedsAttentionAsync(CancellationToken cancellationToken)
    {
        var (items, more) = await outbox.ParkedAsync(MaxListed, cancellationToken);
        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("operations");
            foreach (var item in items)
            {
                // Requeued since it was listed (the mark goes with the requeue) or read mid-change: not parked.
                if (await store.Transactions.GetOrNullAsync(item.Partition, item.Row, cancellationToken: cancellationToken) is not { } row
                    || OperationRow.From(row) is not { State: OperationStates.NeedsAttention } operation) continue;
                w.WriteStartObject();
                w.WriteString("paymentIntegratorAccountId", operation.PaymentIntegratorAccountId);
                w.WriteString("requestId", operation.RequestId);
                w.WriteString("kind", operation.Kind);
                w.WriteString("transaction", item.Partition);
                w.WriteString("parkedQueue", operation.ParkedQueue);
                w.WriteString("parkedReason", operation.ParkedReason);
                w.WriteString("parkedAt", operation.UpdatedAt.ToString("O"));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteBoolean("more", more);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <returns>the record as JSON, or null when nothing is known under that requestId.</returns>
    public async Task<byte[]?> FindAsync(string piaid, string requestId, CancellationToken cancellationToken)
    {
        var calls = new List<(string Method, string Partition)>();
        // Calls on existing transactions leave a marker naming the transaction.
        await foreach (var marker in store.Requests.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Keys.MarkerPartition(piaid, requestId)}"), cancellationToken: cancellationToken))
            if (MarkerRow.From(marker) is { Anchor: not "", Method: not "" } marked) calls.Add((marked.Method, marked.Anchor));
        // Calls that created a transaction are found by their own partition.
        foreach (var partition in new[] { Keys.ReferenceNumberPartition(piaid, requestId), Keys.FundsReservationPartition(piaid, requestId) })
            calls.Add(("", partition));

        var buffer = new ArrayBufferWriter<byte>(2048);
        var found = false;
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("paymentIntegratorAccountId", piaid);
            w.WriteString("requestId", requestId);
            w.WriteStartArray("calls");
            foreach (var (method, partition) in calls)
            {
                var rows = new List<TableEntity>();
                await foreach (var row in store.Transactions.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), cancellationToken: cancellationToken))
                    rows.Add(row);
                var ledger = rows.Where(r => r.RowKey.StartsWith("req|", StringComparison.Ordinal)).Select(LedgerEntryRow.From)
                    .Where(e => e.RequestId == requestId && (method == "" || e.Method == method)).ToList();
                var operation = rows.FirstOrDefault(r => r.RowKey == Keys.OperationRow(requestId));
                if (ledger.Count == 0 && operation is null) continue;
                found = true;
                foreach (var entry in ledger)
                {
                    w.WriteStartObject();
                    w.WriteString("method", entry.Method);
                    w.WriteString("transaction", partition);
                    w.WriteString("answeredAt", entry.CreatedAt.ToString("O"));
                    w.WritePropertyName("storedResponse");
                    w.WriteRawValue(entry.Payload);
                    if (rows.FirstOrDefault(r => r.RowKey == Keys.StateRow(partition)) is { } state) { w.WritePropertyName("transactionState"); WriteEntity(w, state); }
                    if (operation is not null) await WriteOperationAsync(w, "operation", operation, cancellationToken);
                    if (method == "" && rows.FirstOrDefault(r => r.RowKey == Keys.PaymentOperationRow(partition)) is { } paid)
                        await WriteOperationAsync(w, "paymentOperation", paid, cancellationToken);
                    w.WriteEndObject();
                }
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return found ? buffer.WrittenSpan.ToArray() : null;
    }

    /// <summary>The operation and, while it is not done, whether it is in the outbox index (the relay finds
    /// unfinished work there, the needs-attention list parked work): an unfinished operation without a row
    /// is only moved by its queue message or a requeue.</summary>
    private async Task WriteOperationAsync(Utf8JsonWriter w, string name, TableEntity operation, CancellationToken cancellationToken)
    {
        w.WritePropertyName(name);
        WriteEntity(w, operation);
        if (OperationRow.From(operation).State == OperationStates.Done) return;
        var row = await store.Outbox.GetOrNullAsync(operation.PartitionKey, operation.RowKey, TableCalls.WithKeys(), cancellationToken);
        w.WriteBoolean(name + "InOutbox", row is not null);
    }

    private static void WriteEntity(Utf8JsonWriter w, TableEntity e)
    {
        w.WriteStartObject();
        foreach (var (name, value) in e.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (name is "PartitionKey" or "RowKey" or "odata.etag" or "Timestamp") continue;
            switch (value)
            {
                case null: w.WriteNull(name); break;
                case string s when OperationRow.IsStepLog(name) && s.StartsWith('['): w.WritePropertyName(name); w.WriteRawValue(s); break;
                case string s: w.WriteString(name, s); break;
                case long l: w.WriteNumber(name, l); break;
                case int i: w.WriteNumber(name, i); break;
                case double d: w.WriteNumber(name, d); break;
                case bool b: w.WriteBoolean(name, b); break;
                case DateTimeOffset t: w.WriteString(name, t.ToString("O")); break;
                default: w.WriteString(name, value.ToString()); break;
            }
        }
        w.WriteEndObject();
    }
}
