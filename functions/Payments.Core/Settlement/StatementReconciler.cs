using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Finishing;
using Payments.Core.Idempotency;
using Payments.Core.Journal;
using Payments.Core.Storage;
using Payments.Core.Transactions;

namespace Payments.Core.Settlement;

/// <summary>
/// Reconciles a notified statement (docs/protocol.md, "Settlement"), queue-triggered: fetches its detail pages
/// one at a time and commits each page's results with the statement's next offset (ETag-conditional), so a
/// crash resumes at the next page and no page is counted twice; matches every event against the money journal;
/// after the last page runs the statement-wide checks; then accepts the statement at Google, or parks it for an
/// operator with every discrepancy. Memory holds one page at a time.
/// </summary>
public sealed partial class StatementReconciler(OperationSteps steps, IGoogleStatements google, MoneyJournal journal, ILogger<StatementReconciler> logger)
{
    /// <summary>Events asked for per page: Google's maximum.</summary>
    public const int PageSize = 1000;
    /// <summary>Event match results per stored row (a page's commit stays within a batch's 100 entities).</summary>
    public const int EventsPerRow = 50;
    /// <summary>Journal reads in flight at once.</summary>
    public const int Concurrency = 32;
    /// <summary>More events than this in one statement are not reconciled automatically.</summary>
    public const long MaxEvents = 10_000_000;

    private static readonly HashSet<string> Matchable = new(StringComparer.Ordinal) { "captureEvents", "refundEvents" };
    private static readonly HashSet<string> ForOperator = new(StringComparer.Ordinal)
        { "reverseRefundEvents", "chargebackEvents", "reverseChargebackEvents", "adjustmentEvents" };

    private TableClient Transactions => steps.Store.Transactions;

    public async Task ProcessAsync(string message, CancellationToken cancellationToken)
    {
        var item = WorkItem.Parse(message);
        // Each turn commits progress (a page, the verdict, the acceptance) or ends the delivery.
        for (var turn = 0; turn < 100_000; turn++)
        {
            var operation = await steps.ReadOperationAsync(item, cancellationToken);
            if (operation is not { Kind: OperationKinds.Statement, State: OperationStates.Pending }) return;
            if (await Transactions.GetOrNullAsync(item.Partition, StatementKeys.StateRow(item.Partition), cancellationToken: cancellationToken) is not { } read)
            {
                LogMissing(logger, item.Partition);
                return;
            }
            var statement = StatementRow.From(read);
            var goOn = statement.State switch
            {
                StatementStates.Received or StatementStates.Fetching => await FetchNextAsync(operation, item, statement, cancellationToken),
                StatementStates.Accepting => await AcceptAsync(operation, item, statement, cancellationToken),
                _ => false,
            };
            if (!goOn) return;
        }
    }

    /// <returns>true to go on (progress committed, or a conflict to read again); false when this delivery is done.</returns>
    private async Task<bool> FetchNextAsync(OperationRow operation, WorkItem item, StatementRow statement, CancellationToken cancellationToken)
    {
        var offset = statement.NextOffset;
        StatementPage page;
        try
        {
            page = await google.FetchPageAsync(statement.Ref, StatementKeys.PageRequestId(statement.PaymentIntegratorAccountId, statement.StatementId, offset),
                offset, PageSize, cancellationToken);
        }
        catch (GoogleCallFailedException e) when (e.Retryable)
        {
            return await RetryAsync(operation, item, statement, new StepRecord("details", steps.Now, "fault", $"offset {offset}: {e.Message}", e.Status), cancellationToken);
        }
        catch (GoogleCallFailedException e)
        {
            return await ParkAsync(operation, item, statement, $"Google refused remittanceStatementDetails at offset {offset} ({e.Status}): {e.Message}", cancellationToken);
        }
        catch (StatementPageRefusedException e)
        {
            return await ParkAsync(operation, item, statement, $"the page at offset {offset} was refused: {e.Message}", cancellationToken);
        }

        if (PageBoundsViolation(statement, page, offset) is { } violation)
            return await ParkAsync(operation, item, statement, violation, cancellationToken);

        var matches = await MatchAsync(statement, page, offset, cancellationToken);
        var pageTotals = new StatementTotals();
        var totals = StatementTotals.Parse(statement.Totals);
        try
        {
            foreach (var e in page.Events) pageTotals.Add(e.Array, e.ChargeMicros ?? 0, e.FeeMicros ?? 0);
            totals.Add(pageTotals);
        }
        catch (OverflowException)
        {
            return await ParkAsync(operation, item, statement, $"the amounts up to offset {offset} overflow 64 bits", cancellationToken);
        }

        var now = steps.Now;
        var pageDiscrepancies = matches.Count(m => m.IsDiscrepancy);
        if (page.Summary is { } summary && Differs(statement.Summary, summary))
        {
            matches.Add(new EventMatch(-1, "", null, null, null, null, summary.CurrencyCode, EventStatus.PageProblem,
                $"the page's summary differs from the notified one (due {summary.TotalDueByIntegratorMicros} {summary.CurrencyCode}, period {summary.BillingPeriodStart:O}–{summary.BillingPeriodEnd:O})"));
            pageDiscrepancies++;
        }
        var next = statement with
        {
            State = StatementStates.Fetching,
            NextOffset = page.NextEventOffset ?? offset + page.Events.Count,
            PagesFetched = statement.PagesFetched + 1,
            EventsCounted = statement.EventsCounted + page.Events.Count,
            Totals = totals.ToJson(),
            DiscrepancyCount = statement.DiscrepancyCount + pageDiscrepancies,
            UpdatedAt = now,
            Summary = statement.Summary with { TotalEvents = statement.Summary.TotalEvents ?? page.TotalEvents },
        };
        var nextOperation = operation with { DueAt = now, UpdatedAt = now, BookingAttempts = 0 };
        var actions = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.Add, new TableEntity(item.Partition, StatementKeys.PageRow(offset))
            {
                ["Events"] = (long)page.Events.Count, ["Totals"] = pageTotals.ToJson(), ["Discrepancies"] = (long)pageDiscrepancies, ["FetchedAt"] = now,
            }),
        };
        for (var chunk = 0; chunk * EventsPerRow < matches.Count; chunk++)
        {
            var rows = new JsonArray();
            foreach (var m in matches.Skip(chunk * EventsPerRow).Take(EventsPerRow)) rows.Add(m.ToJson());
            actions.Add(new(TableTransactionActionType.Add, new TableEntity(item.Partition, StatementKeys.EventRow(offset, chunk)) { ["Events"] = rows.ToJsonString() }));
        }

        var parkReason = (string?)null;
        if (page.NextEventOffset is null)
        {
            // The last page: the statement-wide checks, then the verdict in the same commit.
            var found = new List<string>();
            if (next.Summary.TotalEvents is { } expected && next.EventsCounted != expected)
                found.Add($"{next.EventsCounted} events counted, totalEvents says {expected}");
            try
            {
                if (totals.Due != statement.Summary.TotalDueByIntegratorMicros)
                    found.Add($"charges + fees of the events = {totals.Due} micros, totalDueByIntegrator = {statement.Summary.TotalDueByIntegratorMicros}");
            }
            catch (OverflowException)
            {
                found.Add("charges + fees of the events overflow 64 bits");
            }
            var missing = await RecordMissingAsync(statement, cancellationToken);
            if (missing > 0) found.Add($"{missing} of our movements in the billing period are on no statement");
            next = next with { Reconciled = true, StatementDiscrepancies = found.Count == 0 ? null : new JsonArray([.. found.Select(f => (JsonNode)f)]).ToJsonString() };
            var total = next.DiscrepancyCount + found.Count;
            if (total == 0) next = next with { State = StatementStates.Accepting };
            else
            {
                parkReason = $"{total} discrepancies";
                next = next with { State = StatementStates.NeedsAttention, Reason = parkReason, DiscrepancyCount = total };
                nextOperation = nextOperation with { State = OperationStates.NeedsAttention, ParkedQueue = QueueNames.Statements, ParkedReason = "statement: " + parkReason };
            }
        }
        actions.Add(next.Merge());
        actions.Add(OperationMerge(nextOperation, operation.ETag));
        if (!await TryCommitAsync(actions, cancellationToken)) return true; // moved meanwhile: read again
        LogPage(logger, statement.PaymentIntegratorAccountId, statement.StatementId, offset, page.Events.Count, pageDiscrepancies);
        if (parkReason is null) return true;
        await steps.Outbox.MarkParkedAsync(item, QueueNames.Statements, etag: null, cancellationToken);
        LogParked(logger, statement.PaymentIntegratorAccountId, statement.StatementId, parkReason);
        return false;
    }

    /// <summary>The page bounds that make a statement impossible to reconcile automatically.</summary>
    private static string? PageBoundsViolation(StatementRow statement, StatementPage page, long offset)
    {
        var count = page.Events.Count;
        if (page.EventOffset != offset) return $"asked for offset {offset}, the page starts at {page.EventOffset}";
        if (count > PageSize) return $"the page at offset {offset} holds {count} events (at most {PageSize} asked for)";
        if (page.NextEventOffset is { } nextOffset && nextOffset <= offset) return $"nextEventOffset {nextOffset} does not advance past offset {offset}";
        if (page.NextEventOffset is { } n && n != offset + count) return $"nextEventOffset {n} does not follow the page's {count} events from offset {offset}";
        var expected = statement.Summary.TotalEvents ?? page.TotalEvents;
        if (expected is { } t && statement.EventsCounted + count > t) return $"more events ({statement.EventsCounted + count}) than totalEvents ({t})";
        if (statement.EventsCounted + count > MaxEvents) return $"more than {MaxEvents} events";
        return null;
    }

    private static bool Differs(RemittanceSummary notified, RemittanceSummary page) =>
        notified.CurrencyCode != page.CurrencyCode || notified.TotalDueByIntegratorMicros != page.TotalDueByIntegratorMicros
        || notified.BillingPeriodStart != page.BillingPeriodStart || notified.BillingPeriodEnd != page.BillingPeriodEnd;

    /// <summary>Every event of the page matched: first its "settled" row is claimed (a duplicate finds it taken), then
    /// the journal is read, <see cref="Concurrency"/> at a time.</summary>
    private async Task<List<EventMatch>> MatchAsync(StatementRow statement, StatementPage page, long offset, CancellationToken cancellationToken)
    {
        var duplicates = await SettleAsync(statement, page, offset, cancellationToken);
        var results = new EventMatch[page.Events.Count];
        var found = new MoneyMovement?[page.Events.Count];
        await Parallel.ForAsync(0, page.Events.Count, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken },
            async (i, ct) => (results[i], found[i]) = await MatchOneAsync(statement, page.Events[i], offset + i, duplicates.GetValueOrDefault(i), ct));
        await MarkSettledAsync(statement, found, cancellationToken);
        var list = results.ToList();
        foreach (var problem in page.Problems)
            list.Add(new EventMatch(-1, "", null, null, null, null, null, EventStatus.PageProblem, $"offset {offset}: {problem}"));
        return list;
    }

    /// <returns>the match, and the movement it names when there is one</returns>
    private async Task<(EventMatch, MoneyMovement?)> MatchOneAsync(StatementRow statement, StatementEvent e, long position, string? duplicate, CancellationToken cancellationToken)
    {
        MoneyMovement? movement = null;
        (EventMatch, MoneyMovement?) Result(string status, string? detail = null) =>
            (new(position, e.Array, e.EventRequestId, e.PaymentIntegratorEventId, e.ChargeMicros, e.FeeMicros, e.CurrencyCode ?? statement.Summary.CurrencyCode, status, detail), movement);

        var currency = statement.Summary.CurrencyCode;
        if (ForOperator.Contains(e.Array)) return Result(EventStatus.ForOperator, "never accepted automatically");
        if (!Matchable.Contains(e.Array)) return Result(EventStatus.UnknownEventArray, $"array {e.Array}");
        if (!Protocol.RequestRules.IsValidRequestId(e.EventRequestId)) return Result(EventStatus.Malformed, "eventRequestId absent or not a requestId");
        if (e.ChargeMicros is not { } charge) return Result(EventStatus.Malformed, "eventCharge absent");
        if (e.CurrencyCode is { } own && own != currency) return Result(EventStatus.CurrencyDiffers, $"event in {own}, statement in {currency}");
        if (duplicate is not null) return Result(EventStatus.DuplicateEvent, duplicate);

        movement = await journal.FindAsync(statement.PaymentIntegratorAccountId, e.EventRequestId, cancellationToken);
        if (movement is null) return Result(EventStatus.UnknownEvent, "no movement of ours under this eventRequestId");
        var capture = e.Array == "captureEvents";
        if ((movement.Kind == MoneyMovementKind.Capture) != capture) return Result(EventStatus.KindDiffers, $"our movement is a {movement.Kind}");
        if (e.PaymentIntegratorEventId != movement.PaymentIntegratorEventId && (movement.ReferenceNumber is null || e.PaymentIntegratorEventId != movement.ReferenceNumber))
            return Result(EventStatus.EventIdDiffers, $"ours is {movement.PaymentIntegratorEventId}");
        if (movement.CurrencyCode != currency) return Result(EventStatus.CurrencyDiffers, $"our movement is in {movement.CurrencyCode}, statement in {currency}");
        var expected = capture ? movement.AmountMicros : -movement.AmountMicros;
        if (charge != expected) return Result(EventStatus.AmountDiffers, $"expected eventCharge {expected}");
        return Result(EventStatus.Matched);
    }

    /// <summary>Claims the "settled" row of every capture and refund event of the page (table journal): inserted in
    /// batches; a row that exists is this very page's from an earlier run (not a duplicate) or another
    /// appearance (a duplicate, named). Within the page a second appearance is a duplicate at once.</summary>
    /// <returns>the duplicates: event index → where the event appeared first</returns>
    private async Task<Dictionary<int, string>> SettleAsync(StatementRow statement, StatementPage page, long offset, CancellationToken cancellationToken)
    {
        var duplicates = new Dictionary<int, string>();
        var firstInPage = new Dictionary<string, int>(StringComparer.Ordinal);
        var claims = new List<(int Index, TableEntity Row)>();
        var partition = JournalRows.Partition(statement.PaymentIntegratorAccountId);
        for (var i = 0; i < page.Events.Count; i++)
        {
            var e = page.Events[i];
            if (!Matchable.Contains(e.Array) || !Protocol.RequestRules.IsValidRequestId(e.EventRequestId)) continue;
            if (firstInPage.TryGetValue(e.EventRequestId, out var first)) { duplicates[i] = $"also at position {offset + first} of this statement"; continue; }
            firstInPage[e.EventRequestId] = i;
            claims.Add((i, new TableEntity(partition, StatementKeys.SettledRow(e.EventRequestId))
            {
                ["StatementId"] = statement.StatementId, ["Position"] = offset + i, ["Array"] = e.Array,
            }));
        }
        var journalTable = steps.Store.Journal;
        foreach (var batch in claims.Chunk(100))
        {
            try
            {
                await journalTable.SubmitAsync(batch.Select(c => new TableTransactionAction(TableTransactionActionType.Add, c.Row)).ToList(), cancellationToken);
                continue;
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
            }
            // Some exist: one at a time.
            foreach (var (index, row) in batch)
            {
                try
                {
                    await journalTable.InsertAsync(row, cancellationToken);
                }
                catch (RequestFailedException e) when (e.Status == 409)
                {
                    var existing = await journalTable.GetOrNullAsync(row.PartitionKey, row.RowKey, cancellationToken: cancellationToken);
                    if (existing is null) continue;
                    var (statementId, position) = (existing.GetString("StatementId"), existing.GetInt64("Position"));
                    if (statementId == statement.StatementId && position == offset + index) continue; // this page, an earlier run
                    duplicates[index] = statementId == statement.StatementId
                        ? $"also at position {position} of this statement"
                        : $"already on statement {statementId} (position {position})";
                }
            }
        }
        return duplicates;
    }

    /// <summary>Every movement a capture or refund event of the page named gets its row <c>sa|{ticks}|{id}</c> (table
    /// journal): the same suffix as the journal's time row of that movement, so the missing-movement check walks both
    /// in key order instead of reading a row per movement. Upserts: a page run twice writes the same rows.</summary>
    private async Task MarkSettledAsync(StatementRow statement, IReadOnlyList<MoneyMovement?> movements, CancellationToken cancellationToken)
    {
        var partition = JournalRows.Partition(statement.PaymentIntegratorAccountId);
        var rows = movements.OfType<MoneyMovement>().Select(m => StatementKeys.SettledAtRow(m.At, m.EventRequestId)).Distinct(StringComparer.Ordinal)
            .Select(row => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(partition, row) { ["StatementId"] = statement.StatementId }));
        foreach (var batch in rows.Chunk(100)) await steps.Store.Journal.SubmitAsync(batch, cancellationToken);
    }

    /// <summary>Our movements of the billing period, in the statement's currency, that are on no statement: written
    /// to the statement's missing rows (the same rows on a re-run), streamed. The journal's time rows of the period
    /// and the settled-at rows are read in key order side by side; only a time row without its settled-at row is
    /// looked up (its movement confirmed, as the journal's reads do).</summary>
    /// <remarks>The period is [startDate, the next period's start), the next start being endDate rounded up to the
    /// next whole second (endDate is the period's last second, …:59:59.000).</remarks>
    private async Task<long> RecordMissingAsync(StatementRow statement, CancellationToken cancellationToken)
    {
        var summary = statement.Summary;
        var (from, to) = (summary.BillingPeriodStart, NextPeriodStart(summary.BillingPeriodEnd));
        var partition = JournalRows.Partition(statement.PaymentIntegratorAccountId);
        var journalTable = steps.Store.Journal;
        long missing = 0;
        var chunk = 0;
        var current = new JsonArray();
        var block = new List<(string Partition, string EventRequestId, string Suffix)>(Concurrency * 4);

        await using var settled = journalTable.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {StatementKeys.SettledAtFrom(from)} and RowKey lt {StatementKeys.SettledAtFrom(to)}"),
            select: TableCalls.WithKeys(), cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken);
        var settledSuffix = await settled.MoveNextAsync() ? settled.Current.RowKey[3..] : null;

        async Task CheckBlockAsync()
        {
            var rows = await Task.WhenAll(block.Select(b => Transactions.GetOrNullAsync(b.Partition, MoneyMovementRow.RowKey(b.EventRequestId), cancellationToken: cancellationToken)));
            for (var i = 0; i < block.Count; i++)
            {
                if (rows[i] is null) continue; // its commit never happened
                var m = MoneyMovementRow.From(rows[i]!);
                if (m.PaymentIntegratorAccountId != statement.PaymentIntegratorAccountId || m.CurrencyCode != summary.CurrencyCode) continue;
                // A pointer whose time is not the record's (its decision was retried): the record's own time decides.
                var own = StatementKeys.SettledAtRow(m.At, m.EventRequestId);
                if (own[3..] != block[i].Suffix && await journalTable.GetOrNullAsync(partition, own, TableCalls.WithKeys(), cancellationToken) is not null) continue;
                missing++;
                current.Add(new JsonArray(m.EventRequestId, m.PaymentIntegratorEventId, m.Kind.ToString(), m.AmountMicros, m.CurrencyCode, m.At.ToString("O")));
                if (current.Count == EventsPerRow) await FlushAsync();
            }
            block.Clear();
        }
        async Task FlushAsync()
        {
            await Transactions.UpsertAsync(new TableEntity(statement.Partition, StatementKeys.MissingRow(chunk++)) { ["Movements"] = current.ToJsonString() }, cancellationToken);
            current = [];
        }

        await foreach (var row in journalTable.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {JournalRows.TimeRowFrom(from)} and RowKey lt {JournalRows.TimeRowFrom(to)}"),
            select: JournalRows.TargetSelect, cancellationToken: cancellationToken))
        {
            var suffix = row.RowKey[3..];
            while (settledSuffix is not null && string.CompareOrdinal(settledSuffix, suffix) < 0)
                settledSuffix = await settled.MoveNextAsync() ? settled.Current.RowKey[3..] : null;
            if (settledSuffix == suffix) continue;
            var (target, eventRequestId, _) = JournalRows.Target(row);
            block.Add((target, eventRequestId, suffix));
            if (block.Count == block.Capacity) await CheckBlockAsync();
        }
        await CheckBlockAsync();
        if (current.Count > 0) await FlushAsync();
        return missing;
    }

    /// <summary>endDate rounded up to the next whole second: …:59:59.000 → next day 00:00:00.</summary>
    public static DateTimeOffset NextPeriodStart(DateTimeOffset endDate) =>
        new DateTimeOffset(endDate.UtcTicks - endDate.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero).AddSeconds(1);

    private async Task<bool> AcceptAsync(OperationRow operation, WorkItem item, StatementRow statement, CancellationToken cancellationToken)
    {
        // Claimed first (ETag): of concurrent deliveries one sends the call; the others leave it to the claim, which
        // the outbox relay takes over once its lease (the relay grace) has run out.
        var now = steps.Now;
        if (statement.AcceptClaimedUntil > now) return false;
        var claimed = statement with { AcceptClaimedUntil = now + steps.Options.RelayGrace };
        if (!await TryCommitAsync([claimed.Merge()], cancellationToken)) return true;
        statement = StatementRow.From((await Transactions.GetOrNullAsync(item.Partition, StatementKeys.StateRow(item.Partition), cancellationToken: cancellationToken))!);
        try
        {
            await google.AcceptAsync(statement.Ref, StatementKeys.AcceptRequestId(statement.PaymentIntegratorAccountId, statement.StatementId), cancellationToken);
        }
        catch (GoogleCallFailedException e) when (e.Retryable)
        {
            // The claim is given back: the retry (this statement's next delivery) must not find it held.
            await TryCommitAsync([(statement with { AcceptClaimedUntil = steps.Now }).Merge()], cancellationToken);
            return await RetryAsync(operation, item, statement, new StepRecord("accept", steps.Now, "fault", e.Message, e.Status), cancellationToken);
        }
        catch (GoogleCallFailedException e)
        {
            return await ParkAsync(operation, item, statement, $"Google refused acceptRemittanceStatement ({e.Status}): {e.Message}", cancellationToken);
        }
        now = steps.Now;
        var accepted = statement with { State = StatementStates.Accepted, AcceptedAt = now, UpdatedAt = now };
        var done = operation with
        {
            State = OperationStates.Done, Result = "ACCEPTED", FinishedAt = now, NotifiedAt = now, UpdatedAt = now, DueAt = now,
            Attempts = OperationSteps.AppendStep(operation, new StepRecord("accept", now, "accepted", "acceptRemittanceStatement answered SUCCESS")),
        };
        if (!await TryCommitAsync([accepted.Merge(), OperationMerge(done, operation.ETag)], cancellationToken)) return true;
        LogAccepted(logger, statement.PaymentIntegratorAccountId, statement.StatementId);
        return false;
    }

    /// <summary>A retryable fault: the next attempt after a back-off (a delayed message), or, with the budget spent,
    /// the operation parked (<see cref="OperationSteps.RetryOrParkAsync"/>) and the statement with it.</summary>
    private async Task<bool> RetryAsync(OperationRow operation, WorkItem item, StatementRow statement, StepRecord record, CancellationToken cancellationToken)
    {
        if (!await steps.RetryOrParkAsync(operation, item, QueueNames.Statements, record, cancellationToken)) return true;
        if ((operation.BookingAttempts ?? 0) + 1 < steps.Options.MaxAttempts) return false;
        if (await Transactions.GetOrNullAsync(item.Partition, StatementKeys.StateRow(item.Partition), cancellationToken: cancellationToken) is not { } read) return false;
        var parked = StatementRow.From(read) with { State = StatementStates.NeedsAttention, Reason = $"{record.Step} failed {steps.Options.MaxAttempts} times; last: {record.Detail}", UpdatedAt = steps.Now };
        // Should this lose to a concurrent write, the operation's parkedReason still says why.
        await TryCommitAsync([parked.Merge()], cancellationToken);
        return false;
    }

    /// <summary>Parks the statement and its operation in one commit, for a reason retries cannot fix.</summary>
    private async Task<bool> ParkAsync(OperationRow operation, WorkItem item, StatementRow statement, string reason, CancellationToken cancellationToken)
    {
        var now = steps.Now;
        var parked = statement with { State = StatementStates.NeedsAttention, Reason = reason, UpdatedAt = now };
        var parkedOperation = operation with
        {
            State = OperationStates.NeedsAttention, ParkedQueue = QueueNames.Statements, ParkedReason = "statement: " + reason, UpdatedAt = now, DueAt = now,
            Attempts = OperationSteps.AppendStep(operation, new StepRecord("reconcile", now, "parked", reason)),
        };
        if (!await TryCommitAsync([parked.Merge(), OperationMerge(parkedOperation, operation.ETag)], cancellationToken)) return true;
        await steps.Outbox.MarkParkedAsync(item, QueueNames.Statements, etag: null, cancellationToken);
        LogParked(logger, statement.PaymentIntegratorAccountId, statement.StatementId, reason);
        return false;
    }

    internal static TableTransactionAction OperationMerge(OperationRow operation, ETag etag) =>
        new(TableTransactionActionType.UpdateMerge, TableCalls.MergeOf(operation.ToEntity(),
            nameof(OperationRow.State), nameof(OperationRow.DueAt), nameof(OperationRow.UpdatedAt), nameof(OperationRow.BookingAttempts),
            nameof(OperationRow.ParkedQueue), nameof(OperationRow.ParkedReason), nameof(OperationRow.Result), nameof(OperationRow.FinishedAt),
            nameof(OperationRow.NotifiedAt), nameof(OperationRow.Attempts), nameof(OperationRow.RequeuedAt)), etag);

    /// <returns>false on a conflict: another delivery or an operator moved the statement first.</returns>
    private async Task<bool> TryCommitAsync(IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        try
        {
            await Transactions.SubmitAsync(actions, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (CommitLoop.IsConflict(e))
        {
            return false;
        }
    }

    [LoggerMessage(80, LogLevel.Warning, "statement {Partition}: no statement row; message dropped")]
    private static partial void LogMissing(ILogger logger, string partition);

    [LoggerMessage(81, LogLevel.Information, "statement {Piaid}/{StatementId}: page at offset {Offset} with {Events} events, {Discrepancies} discrepancies")]
    private static partial void LogPage(ILogger logger, string piaid, string statementId, long offset, int events, int discrepancies);

    [LoggerMessage(82, LogLevel.Warning, "statement {Piaid}/{StatementId}: needs attention: {Reason}")]
    private static partial void LogParked(ILogger logger, string piaid, string statementId, string reason);

    [LoggerMessage(83, LogLevel.Information, "statement {Piaid}/{StatementId}: accepted at Google")]
    private static partial void LogAccepted(ILogger logger, string piaid, string statementId);
}
