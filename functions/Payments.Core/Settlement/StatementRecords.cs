using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Payments.Core.Finishing;
using Payments.Core.Idempotency;
using Payments.Core.Storage;
using Payments.Core.Transactions;

namespace Payments.Core.Settlement;

/// <summary>What operators see of statements and the one thing they do to them (docs/operations.md, "A parked
/// statement"): the statement with its counts, sums and discrepancies (paged), the parked ones, every event as
/// CSV (streamed), and the explicit acceptance after review.</summary>
public sealed class StatementRecords(OperationSteps steps)
{
    /// <summary>Discrepancies per page of the statement view; statements per needs-attention list.</summary>
    public const int MaxListed = 100;

    private TableClient Transactions => steps.Store.Transactions;

    private async Task<StatementRow?> ReadAsync(string partition, CancellationToken cancellationToken) =>
        await Transactions.GetOrNullAsync(partition, StatementKeys.StateRow(partition), cancellationToken: cancellationToken) is { } row ? StatementRow.From(row) : null;

    /// <param name="after">the discrepancy cursor of the previous page (null: from the start)</param>
    /// <returns>the statement as JSON, or null when there is none</returns>
    public async Task<byte[]?> ViewAsync(string piaid, string statementId, string? after, CancellationToken cancellationToken)
    {
        var partition = StatementKeys.Partition(piaid, statementId);
        if (await ReadAsync(partition, cancellationToken) is not { } s) return null;
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            WriteHead(w, s);
            w.WriteStartObject("summary");
            w.WriteString("statementDate", s.Summary.StatementDate.ToString("O"));
            w.WriteString("billingPeriodStart", s.Summary.BillingPeriodStart.ToString("O"));
            w.WriteString("billingPeriodEnd", s.Summary.BillingPeriodEnd.ToString("O"));
            if (s.Summary.DateDue is { } due) w.WriteString("dateDue", due.ToString("O"));
            w.WriteString("currencyCode", s.Summary.CurrencyCode);
            w.WriteNumber("totalDueByIntegratorMicros", s.Summary.TotalDueByIntegratorMicros);
            if (s.Summary.TotalEvents is { } total) w.WriteNumber("totalEvents", total);
            if (s.Summary.MemoLineId is { } memo) w.WriteString("memoLineId", memo);
            w.WriteEndObject();
            w.WriteNumber("pagesFetched", s.PagesFetched);
            w.WriteNumber("eventsCounted", s.EventsCounted);
            w.WriteNumber("nextEventOffset", s.NextOffset);
            w.WriteBoolean("reconciled", s.Reconciled);
            w.WriteStartObject("totals");
            foreach (var (array, (count, charges, fees)) in StatementTotals.Parse(s.Totals).Arrays)
            {
                w.WriteStartObject(array);
                w.WriteNumber("count", count);
                w.WriteNumber("chargesMicros", charges);
                w.WriteNumber("feesMicros", fees);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteNumber("discrepancyCount", s.DiscrepancyCount);
            w.WritePropertyName("statementDiscrepancies");
            w.WriteRawValue(s.StatementDiscrepancies ?? "[]");
            if (s.AcceptedBy is not null)
            {
                w.WriteString("acceptedBy", s.AcceptedBy);
                w.WriteString("acceptReason", s.AcceptReason);
            }
            if (s.AcceptedAt is { } at) w.WriteString("acceptedAt", at.ToString("O"));

            // The event discrepancies, a page at a time: the cursor is the event row the last one came from.
            w.WriteStartArray("discrepancies");
            var listed = 0;
            string? cursor = null;
            var from = after is { Length: > 0 } ? after : StatementKeys.EventRowsFrom;
            await foreach (var row in Transactions.QueryAsync<TableEntity>(
                TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {from} and RowKey lt {StatementKeys.EventRowsTo}"), cancellationToken: cancellationToken))
            {
                var discrepancies = Events(row).Where(m => m.IsDiscrepancy).ToList();
                if (listed > 0 && listed + discrepancies.Count > MaxListed) break;
                foreach (var m in discrepancies) WriteMatch(w, m);
                listed += discrepancies.Count;
                cursor = row.RowKey;
                if (listed >= MaxListed) break;
            }
            w.WriteEndArray();
            if (listed >= MaxListed && cursor is not null) w.WriteString("discrepanciesAfter", cursor);

            w.WriteStartArray("missingMovements");
            var missing = 0;
            await foreach (var row in Transactions.QueryAsync<TableEntity>(
                TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {StatementKeys.MissingRowsFrom} and RowKey lt {StatementKeys.MissingRowsTo}"), cancellationToken: cancellationToken))
            {
                using var doc = JsonDocument.Parse(row.GetString("Movements"));
                foreach (var m in doc.RootElement.EnumerateArray())
                {
                    if (missing++ >= MaxListed) break;
                    m.WriteTo(w);
                }
                if (missing >= MaxListed) break;
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The statements parked for an operator (from the outbox's parked marks, like the operations list).</summary>
    public async Task<byte[]> NeedsAttentionAsync(CancellationToken cancellationToken)
    {
        var (items, more) = await steps.Outbox.ParkedAsync(10 * MaxListed, cancellationToken);
        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("statements");
            var listed = 0;
            foreach (var item in items)
            {
                if (listed == MaxListed) { more = true; break; }
                if (!item.Row.StartsWith("op|", StringComparison.Ordinal) || await ReadAsync(item.Partition, cancellationToken) is not { State: StatementStates.NeedsAttention } s) continue;
                w.WriteStartObject();
                WriteHead(w, s);
                w.WriteNumber("discrepancyCount", s.DiscrepancyCount);
                w.WriteString("updatedAt", s.UpdatedAt.ToString("O"));
                w.WriteEndObject();
                listed++;
            }
            w.WriteEndArray();
            w.WriteBoolean("more", more);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Every event of the statement with its match status, then our movements it lacks, as CSV.</summary>
    /// <returns>false when there is no such statement (nothing written)</returns>
    public async Task<bool> WriteCsvAsync(string piaid, string statementId, Func<Stream> open, CancellationToken cancellationToken)
    {
        var partition = StatementKeys.Partition(piaid, statementId);
        if (await ReadAsync(partition, cancellationToken) is null) return false;
        var stream = open();
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 16 * 1024, leaveOpen: true);
        await writer.WriteLineAsync("position,array,eventRequestId,paymentIntegratorEventId,eventChargeMicros,eventFeeMicros,currencyCode,status,detail");
        await foreach (var row in Transactions.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {StatementKeys.EventRowsFrom} and RowKey lt {StatementKeys.EventRowsTo}"), cancellationToken: cancellationToken))
        {
            foreach (var m in Events(row))
                await writer.WriteLineAsync(string.Join(',', m.Position.ToString(CultureInfo.InvariantCulture), Csv(m.Array), Csv(m.EventRequestId), Csv(m.PaymentIntegratorEventId),
                    m.ChargeMicros?.ToString(CultureInfo.InvariantCulture), m.FeeMicros?.ToString(CultureInfo.InvariantCulture), Csv(m.CurrencyCode), m.Status, Csv(m.Detail)));
        }
        await foreach (var row in Transactions.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {StatementKeys.MissingRowsFrom} and RowKey lt {StatementKeys.MissingRowsTo}"), cancellationToken: cancellationToken))
        {
            using var doc = JsonDocument.Parse(row.GetString("Movements"));
            foreach (var m in doc.RootElement.EnumerateArray())
            {
                var kind = m[2].GetString();
                var micros = m[3].GetInt64();
                var charge = kind == nameof(Journal.MoneyMovementKind.Refund) ? -micros : micros;
                await writer.WriteLineAsync(string.Join(',', "", "", Csv(m[0].GetString()), Csv(m[1].GetString()), charge.ToString(CultureInfo.InvariantCulture), "",
                    Csv(m[4].GetString()), "MissingFromStatement", Csv($"our {kind} of {m[5].GetString()} is on no statement")));
            }
        }
        return true;
    }

    /// <summary>An operator accepts a parked statement after review: Accepting, and the acceptance queued (at most once in effect).</summary>
    public async Task<StatementAcceptance> AcceptAsync(string piaid, string statementId, string by, string reason, CancellationToken cancellationToken)
    {
        var partition = StatementKeys.Partition(piaid, statementId);
        var item = new WorkItem(partition, StatementKeys.OperationRow(statementId));
        var outcome = await CommitLoop.RunAsync(Transactions, async (_, ct) =>
        {
            var statement = await ReadAsync(partition, ct);
            var operation = await steps.ReadOperationAsync(item, ct);
            if (statement is null || operation is null) return CommitDecision<StatementAcceptance>.Answer(StatementAcceptance.NotFound);
            if (statement.State is StatementStates.Accepted or StatementStates.Accepting) return CommitDecision<StatementAcceptance>.Answer(StatementAcceptance.AlreadyAccepted);
            if (statement.State != StatementStates.NeedsAttention) return CommitDecision<StatementAcceptance>.Answer(StatementAcceptance.NotParked);
            var now = steps.Now;
            var accepting = statement with { State = StatementStates.Accepting, AcceptedBy = by, AcceptReason = reason, UpdatedAt = now };
            var requeued = operation with
            {
                State = OperationStates.Pending, BookingAttempts = 0, DueAt = now, UpdatedAt = now, RequeuedAt = now,
                Attempts = OperationSteps.AppendStep(operation, new StepRecord("operator", now, "accepted", $"accepted by {by}: {reason}")),
            };
            // Indexed again first (the relay may have removed the parked row): should the put be lost, the relay finds it.
            await steps.Outbox.AddAsync(QueueNames.Statements, item, ct);
            return CommitDecision<StatementAcceptance>.Commit([accepting.Merge(), StatementReconciler.OperationMerge(requeued, operation.ETag)], _ => StatementAcceptance.Queued);
        }, "the statement being accepted", steps.Time, cancellationToken);
        if (outcome == StatementAcceptance.Queued) await steps.EnqueueAsync(QueueNames.Statements, item, cancellationToken);
        return outcome;
    }

    private static void WriteHead(Utf8JsonWriter w, StatementRow s)
    {
        w.WriteString("paymentIntegratorAccountId", s.PaymentIntegratorAccountId);
        w.WriteString("statementId", s.StatementId);
        w.WriteString("api", s.Api);
        w.WriteString("state", s.State);
        if (s.Reason is not null) w.WriteString("reason", s.Reason);
    }

    private static IEnumerable<EventMatch> Events(TableEntity row)
    {
        using var doc = JsonDocument.Parse(row.GetString("Events"));
        return doc.RootElement.EnumerateArray().Select(EventMatch.From).ToList();
    }

    private static void WriteMatch(Utf8JsonWriter w, EventMatch m)
    {
        w.WriteStartObject();
        w.WriteNumber("position", m.Position);
        w.WriteString("array", m.Array);
        w.WriteString("eventRequestId", m.EventRequestId);
        w.WriteString("paymentIntegratorEventId", m.PaymentIntegratorEventId);
        if (m.ChargeMicros is { } c) w.WriteNumber("eventChargeMicros", c);
        if (m.FeeMicros is { } f) w.WriteNumber("eventFeeMicros", f);
        w.WriteString("currencyCode", m.CurrencyCode);
        w.WriteString("status", m.Status);
        w.WriteString("detail", m.Detail);
        w.WriteEndObject();
    }

    /// <summary>A CSV field: quoted when it holds a comma, quote or line break; a leading = + - @ is defused for spreadsheets.</summary>
    private static string Csv(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        if (value[0] is '=' or '+' or '-' or '@') value = "'" + value;
        return value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";
    }
}
