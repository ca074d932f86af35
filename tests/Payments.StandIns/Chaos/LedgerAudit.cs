using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Payments.Core.Hosting;
using Payments.Core.Protocol;
using Payments.Core.Storage;
using Payments.Core.Idempotency;
using Payments.Core.Journal;
using Payments.Core.Transactions;
using Payments.StandIns.CrmCom;
using Payments.StandIns.Google;
using Payments.StandIns.Gsp;

namespace Payments.StandIns.Chaos;

/// <summary>The outcome of an audit: counts and every violation found (zero expected).</summary>
public sealed class AuditReport
{
    public SortedDictionary<string, long> Counts { get; } = new(StringComparer.Ordinal);
    public List<string> Violations { get; } = [];
    public bool Clean => Violations.Count == 0;

    internal void Count(string name, long by = 1) => Counts[name] = Counts.GetValueOrDefault(name) + by;
    internal void Violation(string text) { if (Violations.Count < 10_000) Violations.Add(text); }

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.AppendLine("audit counts:");
        foreach (var (k, v) in Counts) sb.Append("  ").Append(k.PadRight(44)).AppendLine(v.ToString(CultureInfo.InvariantCulture));
        sb.Append("violations: ").AppendLine(Violations.Count.ToString(CultureInfo.InvariantCulture));
        foreach (var v in Violations.Take(50)) sb.Append("  ! ").AppendLine(v);
        if (Violations.Count > 50) sb.AppendLine($"  … and {Violations.Count - 50} more");
        return sb.ToString();
    }
}

/// <summary>
/// The ledger audit after a run has drained: reads the tables directly and compares them with what the driver
/// was told (every 200), with what the Google stand-in received and with the CRM.COM stand-in's bookings.
/// </summary>
public static class LedgerAudit
{
    /// <summary>Waits (bounded) until no operation is Pending or Notifying; returns how many are left.</summary>
    /// <param name="progress">told how many operations are still unfinished, about every 30 s</param>
    public static async Task<int> WaitForDrainAsync(TableServiceClient tables, TimeSpan timeout, CancellationToken cancellationToken = default, Action<int>? progress = null)
    {
        var transactions = tables.GetTableClient(TableNames.Transactions);
        var clock = Stopwatch.StartNew();
        var left = int.MaxValue;
        var told = TimeSpan.Zero;
        // Each look is a scan of the whole table, which Azurite serves on the thread the finishing
        // work needs: look often while little is left, seldom while much is.
        var pause = TimeSpan.FromMilliseconds(500);
        while (clock.Elapsed < timeout)
        {
            left = 0;
            try
            {
                await foreach (var _ in transactions.QueryAsync<TableEntity>(OperationRow.UnfinishedFilter, select: TableCalls.WithKeys(), cancellationToken: cancellationToken).ConfigureAwait(false))
                    left++;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                return 0; // no table: nothing ever ran
            }
            if (left == 0) return 0;
            if (progress is not null && clock.Elapsed - told >= TimeSpan.FromSeconds(30)) { progress(left); told = clock.Elapsed; }
            pause = TimeSpan.FromMilliseconds(Math.Clamp(left * 2, 500, 10_000));
            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
        }
        return left;
    }

    public static async Task<AuditReport> RunAsync(TableServiceClient tables, IReadOnlyList<RequestRecord> records, GoogleStandIn google, CrmComStandIn? crm, CancellationToken cancellationToken = default)
    {
        var report = new AuditReport();
        var partitions = new Dictionary<string, Dictionary<string, TableEntity>>(StringComparer.Ordinal);
        await foreach (var row in tables.GetTableClient(TableNames.Transactions).QueryAsync<TableEntity>(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (!partitions.TryGetValue(row.PartitionKey, out var rows)) partitions[row.PartitionKey] = rows = new(StringComparer.Ordinal);
            rows[row.RowKey] = row;
        }
        report.Count("table: partitions", partitions.Count);
        var indexed = new HashSet<(string, string)>();
        await foreach (var row in tables.GetTableClient(TableNames.Outbox).QueryAsync<TableEntity>(select: TableCalls.WithKeys(), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            indexed.Add((row.PartitionKey, row.RowKey));
            // Left for the relay: a removal lost to a fault or a kill (done), a call that gave up after
            // indexing its work (no operation). An unfinished operation is flagged below.
            var op = partitions.GetValueOrDefault(row.PartitionKey)?.GetValueOrDefault(row.RowKey);
            report.Count("outbox: rows left, operation " + (op is null ? "missing" : OperationRow.From(op).State));
        }

        foreach (var r in records) report.Count($"driver: {r.Kind} {(r.Status == 200 ? "200" : r.Status.ToString(CultureInfo.InvariantCulture))}{(r.Replay ? " replay" : "")}");

        CheckAnswers(report, records, partitions);
        CheckReplays(report, records);
        CheckIdempotencyViolations(report, records);
        CheckPayAndCancel(report, records, partitions);
        CheckPartitions(report, partitions, indexed, google, crm);
        // The captures and the journal's records, read once for both checks.
        var captures = RowsOf(partitions, "cap|", CaptureRow.From).ToDictionary(c => c.CaptureRequestId, StringComparer.Ordinal);
        var recorded = RowsOf(partitions, "mv|", MoneyMovementRow.From).ToList();
        CheckCapturesAndRefunds(report, records, partitions, captures, recorded);
        await CheckJournalAsync(report, tables, partitions, captures, recorded, google, cancellationToken).ConfigureAwait(false);
        foreach (var v in google.Violations) report.Violation($"Google stand-in: {v.Method} {v.RequestId}: {v.Rule} — {v.Detail}");
        report.Count("google: calls", google.Received.Count);
        report.Count("google: accepted requestIds", google.AcceptedNotifications.Count);
        if (crm is not null) report.Count("crm: bookings", crm.Bookings.Count);
        return report;
    }

    private static string RnPartition(string generateId) => Keys.ReferenceNumberPartition(GspRequests.Usd, generateId);

    /// <summary>Every 200 the driver got agrees with the stored state.</summary>
    private static void CheckAnswers(AuditReport report, IReadOnlyList<RequestRecord> records, Dictionary<string, Dictionary<string, TableEntity>> partitions)
    {
        foreach (var r in records.Where(r => r.Status == 200))
        {
            JsonNode? body = null;
            if (r.Kind != "pay")
            {
                try { body = JsonNode.Parse(r.Response); }
                catch (JsonException) { report.Violation($"{r.Kind} {r.RequestId}: 200 with a body that is not JSON"); continue; }
            }
            string? partition = r.Kind switch
            {
                "generate1" or "generate2" or "pay" or "cancelNumber" or "cancelNumber1" or "refund" or "refund2" => RnPartition(r.Target!),
                "reserve" or "cancelReservation" => Keys.FundsReservationPartition(GspRequests.Inr, r.Target!),
                "createMandate" or "cancelMandate" => Keys.MandatePartition(GspRequests.InrWallet, r.Target!),
                _ => null,
            };
            if (partition is null) continue;
            var rows = partitions.GetValueOrDefault(partition);
            var state = rows?.GetValueOrDefault(Keys.StateRow(partition));
            if (state is null) { report.Violation($"{r.Kind} {r.RequestId}: answered 200 but {partition} has no state"); continue; }

            if (r.Kind != "pay")
            {
                var method = ProtocolMethods.All.First(m => m.Route == r.Route);
                if (rows!.GetValueOrDefault(Keys.LedgerRow(Keys.MethodKey(method), r.RequestId)) is not { } ledger)
                    report.Violation($"{r.Kind} {r.RequestId}: answered 200 but no ledger entry in {partition}");
                else if (JsonNode.Parse(LedgerEntryRow.From(ledger).Payload) is { } stored && body is not null
                         && !JsonNode.DeepEquals(stored, JsonNode.Parse(GspRequests.WithoutHeader(body))))
                    report.Violation($"{r.Kind} {r.RequestId}: the answer differs from the stored response ({GspRequests.WithoutHeader(body)} vs {LedgerEntryRow.From(ledger).Payload})");
            }

            var number = partition.Contains("|rn|", StringComparison.Ordinal) ? ReferenceNumberRow.From(state) : null;
            var status = number?.Status ?? (partition.Contains("|rf|", StringComparison.Ordinal) ? FundsReservationRow.From(state).Status : MandateRow.From(state).Status);
            switch (r.Kind)
            {
                case "generate1" or "generate2":
                    if (GspRequests.ReferenceNumberOf(body) != number!.ReferenceNumber)
                        report.Violation($"{r.Kind} {r.RequestId}: answered number differs from the stored one");
                    break;
                case "pay":
                    if (status != ReferenceNumberStatus.Paid || number!.PaymentIntegratorTransactionId != r.RequestId)
                        report.Violation($"pay {r.Body} ({r.Target}): answered 200 but the number is {status} by {number!.PaymentIntegratorTransactionId}");
                    break;
                case "cancelNumber" or "cancelNumber1":
                    var alreadyPaid = r.Kind == "cancelNumber1"
                        ? body?["result"]?.GetValue<string>() == "REFERENCE_NUMBER_ALREADY_PAID"
                        : body?["result"]?["referenceNumberAlreadyPaid"] is not null;
                    if (alreadyPaid ? status != ReferenceNumberStatus.Paid : status != ReferenceNumberStatus.Cancelled)
                        report.Violation($"cancelReferenceNumber {r.RequestId} on {r.Target}: answered {(alreadyPaid ? "alreadyPaid" : "success")} but the number is {status}");
                    break;
                case "refund" or "refund2":
                    var op = rows!.GetValueOrDefault(Keys.OperationRow(r.RequestId)) is { } row ? OperationRow.From(row) : null;
                    if (op is null || op.Kind != OperationKinds.Refund) report.Violation($"refund {r.RequestId} on {r.Target}: acknowledged but no operation");
                    else if (op.AmountMicros != r.AmountMicros) report.Violation($"refund {r.RequestId}: acknowledged {r.AmountMicros} but the operation holds {op.AmountMicros}");
                    break;
                case "cancelReservation":
                    if (status != FundsReservationStatus.Cancelled) report.Violation($"cancelFundsReservation {r.RequestId}: answered 200 but the reservation is {status}");
                    if (rows!.GetValueOrDefault(Keys.OperationRow(r.RequestId)) is null) report.Violation($"cancelFundsReservation {r.RequestId}: answered 200 but no operation");
                    break;
                case "cancelMandate":
                    if (status != MandateStatus.Cancelled) report.Violation($"cancelMandate {r.RequestId}: answered 200 but the mandate is {status}");
                    break;
            }
        }
    }

    /// <summary>A replay (or concurrent duplicate) answered 200 returns what the first 200 returned, but for the header.</summary>
    private static void CheckReplays(AuditReport report, IReadOnlyList<RequestRecord> records)
    {
        foreach (var group in records.Where(r => r.Status == 200 && r.Kind != "pay" && r.Kind != "skipped").GroupBy(r => (r.Route, r.RequestId)))
        {
            if (group.Count() < 2) continue;
            report.Count("replays: answered 200 more than once");
            // One effect per idempotency key: every 200 under one key was for the same body (timestamps aside).
            var bodies = group.Select(r => WithoutTimestamp(r.Body)).Distinct(StringComparer.Ordinal).ToList();
            if (bodies.Count > 1) report.Violation($"{group.First().Kind} {group.Key.RequestId}: different bodies under one requestId were all answered 200: {string.Join(" | ", bodies)}");
            var answers = group.Select(r => JsonNode.Parse(r.Response) is { } n ? GspRequests.WithoutHeader(n) : "").Distinct(StringComparer.Ordinal).ToList();
            if (answers.Count > 1) report.Violation($"{group.First().Kind} {group.Key.RequestId}: replays answered differently: {string.Join(" | ", answers)}");
        }
    }

    /// <summary>412 only when another body was sent under the same key: the same body (fresh timestamp) is never a violation.</summary>
    private static void CheckIdempotencyViolations(AuditReport report, IReadOnlyList<RequestRecord> records)
    {
        var byKey = records.Where(r => r.Kind is not ("pay" or "skipped")).ToLookup(r => (r.Route, r.RequestId));
        foreach (var r in records.Where(r => r.Status == 412))
        {
            var body = WithoutTimestamp(r.Body);
            if (byKey[(r.Route, r.RequestId)].All(o => WithoutTimestamp(o.Body) == body))
                report.Violation($"{r.Kind} {r.RequestId}: 412 IDEMPOTENCY_VIOLATION although every request under this key had the same body: {r.Response}");
        }
    }

    private static string WithoutTimestamp(string json)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        node["requestHeader"]!.AsObject().Remove("requestTimestamp");
        return node.ToJsonString();
    }

    /// <summary>Never a payment accepted after a cancel was answered success (and the other way round).</summary>
    private static void CheckPayAndCancel(AuditReport report, IReadOnlyList<RequestRecord> records, Dictionary<string, Dictionary<string, TableEntity>> partitions)
    {
        var paid = records.Where(r => r.Kind == "pay" && r.Status == 200).Select(r => r.Target!).ToHashSet(StringComparer.Ordinal);
        foreach (var cancel in records.Where(r => r.Status == 200 && (r.Kind == "cancelNumber" && r.Response.Contains("\"success\"", StringComparison.Ordinal)
                                                                        || r.Kind == "cancelNumber1" && r.Response.Contains("\"SUCCESS\"", StringComparison.Ordinal))))
            if (paid.Contains(cancel.Target!)) report.Violation($"reference number {cancel.Target}: cancel answered success and a payment answered 200");
        foreach (var (partition, rows) in partitions)
        {
            if (rows.GetValueOrDefault(Keys.StateRow(partition)) is not { } row || !partition.Contains("|rn|", StringComparison.Ordinal)) continue;
            if (ReferenceNumberRow.From(row) is { PaidAt: not null, CancelledAt: not null })
                report.Violation($"{partition}: both paid and cancelled");
        }
    }

    /// <summary>
    /// Every money movement is in the journal exactly as the state says and as Google was told: a paid number's
    /// payment, every refund finished SUCCESS; no record for anything else. Each is then read back the way
    /// settlement reads it, by (PIAID, Google's requestId), and its amount and currency compared.
    /// </summary>
    private static async Task CheckJournalAsync(AuditReport report, TableServiceClient tables, Dictionary<string, Dictionary<string, TableEntity>> partitions,
        Dictionary<string, CaptureRow> captures, IReadOnlyList<MoneyMovement> recorded, GoogleStandIn google, CancellationToken cancellationToken)
    {
        // The audit reads tables only; the store's queue client is never called.
        var journal = new MoneyJournal(new TransactionStore(tables, new QueueServiceClient(new Uri("http://127.0.0.1:9/unused")), new NoQueueSignal()));
        var expected = new Dictionary<(string Partition, string EventRequestId), (MoneyMovementKind Kind, long Micros, string Currency)>();
        foreach (var (partition, rows) in partitions)
        {
            if (rows.GetValueOrDefault(Keys.StateRow(partition)) is { } row && partition.Contains("|rn|", StringComparison.Ordinal)
                && ReferenceNumberRow.From(row) is { Status: ReferenceNumberStatus.Paid } paid)
                expected[(partition, paid.GenerateRequestId)] = (MoneyMovementKind.Capture, paid.PaidMicros, paid.CurrencyCode);
            foreach (var op in rows.Values.Where(o => o.RowKey.StartsWith("op|", StringComparison.Ordinal)).Select(OperationRow.From))
                if (op is { Kind: OperationKinds.Refund, Result: "SUCCESS" })
                {
                    expected[(partition, op.RequestId)] = (MoneyMovementKind.Refund, op.AmountMicros ?? 0, op.CurrencyCode ?? "");
                    if (!google.IsAccepted(op.NotificationRequestId)) report.Violation($"{partition}/{op.Row}: refund journaled SUCCESS but Google never accepted its notification");
                }
        }
        foreach (var c in captures.Values.Where(c => c.Status == CaptureStatus.Captured))
            expected[(c.Partition, c.CaptureRequestId)] = (MoneyMovementKind.Capture, c.AmountMicros, c.CurrencyCode);
        foreach (var m in recorded)
        {
            report.Count($"journal: {m.Kind}");
            report.Count($"journal: {m.Kind} micros", m.AmountMicros);
            // A synchronous refund of a capture: checked against the capture's refunded sum (CheckCapturesAndRefunds).
            if (m.Kind == MoneyMovementKind.Refund && m.CaptureRequestId is { } of && captures.TryGetValue(of, out var refunded) && refunded.Partition == m.Partition) continue;
            if (!expected.Remove((m.Partition, m.EventRequestId), out var want)) { report.Violation($"journal: {m.Partition} records {m.Kind} {m.EventRequestId} that moved no money"); continue; }
            if ((m.Kind, m.AmountMicros, m.CurrencyCode) != want) report.Violation($"journal: {m.EventRequestId} records {m.Kind} {m.AmountMicros} {m.CurrencyCode}, the state says {want}");
        }
        foreach (var (key, want) in expected) report.Violation($"journal: {key.Partition} moved {want.Kind} {want.Micros} {want.Currency} ({key.EventRequestId}) without a record");

        // Read back by (PIAID, eventRequestId), a few at a time: settlement's point reads.
        using var gate = new SemaphoreSlim(16);
        var found = await Task.WhenAll(recorded.Select(async m =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try { return (m, await journal.FindAsync(m.PaymentIntegratorAccountId, m.EventRequestId, cancellationToken).ConfigureAwait(false)); }
            finally { gate.Release(); }
        })).ConfigureAwait(false);
        foreach (var (m, read) in found)
            if (read is null || read.AmountMicros != m.AmountMicros || read.CurrencyCode != m.CurrencyCode)
                report.Violation($"journal: {m.PaymentIntegratorAccountId}/{m.EventRequestId} read back as {(read is null ? "nothing" : $"{read.AmountMicros} {read.CurrencyCode}")}, recorded {m.AmountMicros} {m.CurrencyCode}");
        report.Count("journal: found by (PIAID, eventRequestId)", found.Length);
    }

    /// <summary>Every row of the transactions table whose row key starts with <paramref name="prefix"/>, mapped.</summary>
    private static IEnumerable<T> RowsOf<T>(Dictionary<string, Dictionary<string, TableEntity>> partitions, string prefix, Func<TableEntity, T> map) =>
        partitions.SelectMany(p => p.Value.Values).Where(r => r.RowKey.StartsWith(prefix, StringComparison.Ordinal)).Select(map);

    /// <summary>
    /// The synchronous money: a capture's refunds never add up to more than it; a capture is journaled exactly when it
    /// is final (Captured), for its amount; its journaled refunds add up to its refunded sum; and every 200 the driver
    /// got says what the journal says: SUCCESS with the journaled amount and our id, a decline with nothing journaled.
    /// A reservation is never both captured and cancelled.
    /// </summary>
    private static void CheckCapturesAndRefunds(AuditReport report, IReadOnlyList<RequestRecord> records, Dictionary<string, Dictionary<string, TableEntity>> partitions,
        Dictionary<string, CaptureRow> captures, IReadOnlyList<MoneyMovement> recorded)
    {
        var movements = recorded.ToDictionary(m => m.EventRequestId, StringComparer.Ordinal);
        var refundsOf = movements.Values.Where(m => m.Kind == MoneyMovementKind.Refund && m.CaptureRequestId is not null)
            .GroupBy(m => (m.Partition, m.CaptureRequestId!)).ToDictionary(g => g.Key, g => g.Sum(m => m.AmountMicros));
        foreach (var c in captures.Values)
        {
            report.Count("captures: " + c.Status);
            if (c.RefundedMicros > c.AmountMicros) report.Violation($"capture {c.CaptureRequestId}: refunded {c.RefundedMicros} > captured {c.AmountMicros}");
            var journaled = movements.GetValueOrDefault(c.CaptureRequestId);
            if (c.Status == CaptureStatus.Captured && (journaled is null || journaled.AmountMicros != c.AmountMicros || journaled.Kind != MoneyMovementKind.Capture))
                report.Violation($"capture {c.CaptureRequestId}: Captured {c.AmountMicros} but the journal holds {journaled?.Kind} {journaled?.AmountMicros}");
            if (c.Status != CaptureStatus.Captured && journaled is not null) report.Violation($"capture {c.CaptureRequestId}: {c.Status} but journaled");
            var refunded = refundsOf.GetValueOrDefault((c.Partition, c.CaptureRequestId));
            if (refunded != c.RefundedMicros) report.Violation($"capture {c.CaptureRequestId}: RefundedMicros {c.RefundedMicros} but its journaled refunds add up to {refunded}");
            report.Count("captures: micros captured", c.Status == CaptureStatus.Captured ? c.AmountMicros : 0);
            report.Count("captures: micros refunded", refunded);
        }
        foreach (var (partition, rows) in partitions)
            if (partition.Contains("|rf|", StringComparison.Ordinal) && rows.GetValueOrDefault(Keys.StateRow(partition)) is { } state
                && FundsReservationRow.From(state).Status == FundsReservationStatus.Cancelled && rows.Keys.Any(k => k.StartsWith("cap|", StringComparison.Ordinal)))
                report.Violation($"{partition}: cancelled and captured");

        foreach (var r in records.Where(r => r.Status == 200 && r.Kind is "capture" or "walletCapture" or "syncRefund"))
        {
            JsonNode? body;
            try { body = JsonNode.Parse(r.Response); }
            catch (JsonException) { report.Violation($"{r.Kind} {r.RequestId}: 200 with a body that is not JSON"); continue; }
            var result = body?["result"]?.GetValueKind() == JsonValueKind.String ? body["result"]!.GetValue<string>() : null;
            var journaled = movements.GetValueOrDefault(r.RequestId);
            if (result == "SUCCESS")
            {
                var ours = (body?["paymentIntegratorCaptureId"] ?? body?["paymentIntegratorTransactionId"] ?? body?["paymentIntegratorRefundId"])?.GetValue<string>();
                if (journaled is null || journaled.AmountMicros != r.AmountMicros || journaled.PaymentIntegratorEventId != ours)
                    report.Violation($"{r.Kind} {r.RequestId}: answered SUCCESS {r.AmountMicros} ({ours}) but the journal holds {journaled?.AmountMicros} ({journaled?.PaymentIntegratorEventId})");
            }
            else if (journaled is not null) report.Violation($"{r.Kind} {r.RequestId}: answered {result} but the journal records {journaled.Kind} {journaled.AmountMicros}");
        }
    }

    /// <summary>The v1 result code a v2 result member stands for (result.accountOnHold → ACCOUNT_ON_HOLD).</summary>
    private static string? V2ResultCode(IReadOnlyDictionary<string, string> fields)
    {
        var member = fields.Keys.FirstOrDefault(k => k.StartsWith("result.", StringComparison.Ordinal))?["result.".Length..];
        if (member is null) return null;
        var code = new StringBuilder();
        foreach (var c in member)
        {
            if (char.IsUpper(c)) code.Append('_');
            code.Append(char.ToUpperInvariant(c));
        }
        return code.ToString();
    }

    private static void CheckPartitions(AuditReport report, Dictionary<string, Dictionary<string, TableEntity>> partitions, HashSet<(string, string)> indexed, GoogleStandIn google, CrmComStandIn? crm)
    {
        var resultField = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [OperationKinds.Refund] = "refundResult",
            [OperationKinds.ReservationCancellation] = "cancelFundsReservationResult",
        };
        var bookedCodes = new HashSet<string>(StringComparer.Ordinal);
        var received = google.Received.GroupBy(n => n.RequestId).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var knownNotifications = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (partition, rows) in partitions)
        {
            var state = rows.GetValueOrDefault(Keys.StateRow(partition)) is { } row && partition.Contains("|rn|", StringComparison.Ordinal)
                ? ReferenceNumberRow.From(row) : null;
            var operations = rows.Values.Where(o => o.RowKey.StartsWith("op|", StringComparison.Ordinal)).Select(OperationRow.From).ToList();
            if (state is not null)
            {
                report.Count("reference numbers: " + state.Status);
                var (paidMicros, refunded) = (state.PaidMicros, state.RefundedMicros);
                if (refunded > paidMicros) report.Violation($"{partition}: refunded {refunded} > paid {paidMicros}");
                var live = operations.Where(o => o.Kind == OperationKinds.Refund && o.Result is null or "SUCCESS").Sum(o => o.AmountMicros ?? 0);
                if (live != refunded) report.Violation($"{partition}: RefundedMicros {refunded} but the refunds not declined add up to {live}");
                if (state.Status == ReferenceNumberStatus.Paid && rows.GetValueOrDefault(Keys.PaymentOperationRow(partition)) is null)
                    report.Violation($"{partition}: paid without a paid-notification operation");
                if (state.Status != ReferenceNumberStatus.Paid && operations.Any(o => o.Kind == OperationKinds.Refund))
                    report.Violation($"{partition}: refunds on a number that is {state.Status}");
            }

            foreach (var op in operations)
            {
                var (kind, opState, result) = (op.Kind is "" ? "?" : op.Kind, op.State is "" ? "?" : op.State, op.Result);
                var name = $"{partition}/{op.Row}";
                report.Count($"operations: {kind} {opState}{(kind == OperationKinds.Refund && result is not null ? " " + result : "")}");
                if (opState is not (OperationStates.Done or OperationStates.NeedsAttention))
                {
                    report.Violation($"{name}: stuck in {opState} ({op.Attempts})");
                    if (!indexed.Contains((partition, op.Row))) report.Violation($"{name}: unfinished and not in the outbox index: the relay cannot find it");
                }
                if (kind is OperationKinds.CaptureBooking or OperationKinds.RefundBooking)
                {
                    // A synchronous capture or refund: booked once when it succeeded, never when declined; Google
                    // was told in the call's answer (CheckCapturesAndRefunds), not by a notification.
                    if (crm is not null && opState == OperationStates.Done)
                    {
                        var code = op.BackOfficeCode ?? "";
                        bookedCodes.Add(code);
                        var bookings = crm.BookingCount(code);
                        if (bookings != (result == "SUCCESS" ? 1 : 0)) report.Violation($"{name}: result {result} but {bookings} booking(s) under {code} in CRM.COM");
                    }
                    continue;
                }
                var notificationId = op.NotificationRequestId;
                knownNotifications.Add(notificationId);
                if (notificationId != Operations.NotificationRequestId(partition, op.Row)) report.Violation($"{name}: notification requestId {notificationId} is not the derived one");
                var calls = received.GetValueOrDefault(notificationId) ?? [];
                if (opState == OperationStates.Done && !google.IsAccepted(notificationId)) report.Violation($"{name}: Done but Google never accepted {notificationId}");
                if (resultField.TryGetValue(kind, out var field))
                {
                    // A v2 notification carries its result as one member of result (recorded as "result.{member}"),
                    // the code in camelCase: NO_MONEY_LEFT_ON_TRANSACTION is result.noMoneyLeftOnTransaction.
                    var sent = calls.Select(c => op.NotificationVersion == 2 ? V2ResultCode(c.Fields) : c.Fields.GetValueOrDefault(field)).Distinct(StringComparer.Ordinal).ToList();
                    if (sent.Count > 1 || (sent.Count == 1 && sent[0] != result))
                        report.Violation($"{name}: result {result} but Google received {string.Join(", ", sent)}");
                }
                if (kind == OperationKinds.Refund && crm is not null && opState != OperationStates.NeedsAttention)
                {
                    var code = op.BackOfficeCode ?? "";
                    bookedCodes.Add(code);
                    var bookings = crm.BookingCount(code);
                    var expected = result == "SUCCESS" ? 1 : 0;
                    if (bookings != expected) report.Violation($"{name}: result {result} but {bookings} booking(s) under {code} in CRM.COM");
                }
            }
        }
        foreach (var id in received.Keys.Where(id => !knownNotifications.Contains(id)))
            report.Violation($"Google received notification {id} that no operation owes");
        if (crm is not null)
            foreach (var booking in crm.Bookings.Where(b => !bookedCodes.Contains(b.BackOfficeCode)))
                report.Violation($"CRM.COM booking {booking.BackOfficeCode} ({booking.Kind} {booking.Amount} on {booking.PaymentReferenceNumber}) belongs to no finished refund or capture");
    }
}
