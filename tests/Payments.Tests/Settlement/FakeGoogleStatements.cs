using System.Collections.Concurrent;
using Payments.Core.Journal;
using Payments.Core.Settlement;

namespace Payments.Tests.Settlement;

/// <summary>Google's statement methods in process: statements registered by the test, paged as Google pages them,
/// with fault injection per call and a record of every call.</summary>
public sealed class FakeGoogleStatements : IGoogleStatements
{
    private sealed record Statement(RemittanceSummary Summary, IReadOnlyList<StatementEvent> Events, int PageSize, long? TotalEvents);

    private readonly ConcurrentDictionary<(string, string), Statement> _statements = new();

    /// <summary>Every page call: (statement id, requestId, offset).</summary>
    public ConcurrentQueue<(string StatementId, string RequestId, long Offset)> PageCalls { get; } = new();
    /// <summary>Every accept call that succeeded: (statement id, requestId).</summary>
    public ConcurrentQueue<(string StatementId, string RequestId)> AcceptCalls { get; } = new();
    /// <summary>Every accept call, failed ones too.</summary>
    public ConcurrentQueue<(string StatementId, string RequestId)> AcceptAttempts { get; } = new();

    /// <summary>Before serving a page: an exception to throw instead (statement id, offset, how many calls for that offset so far).</summary>
    public Func<string, long, int, Exception?>? FailPage { get; set; }
    /// <summary>Before serving a page: awaited (a test holds a page back).</summary>
    public Func<string, long, Task>? HoldPage { get; set; }
    /// <summary>Changes a page before it is served.</summary>
    public Func<string, StatementPage, StatementPage>? AlterPage { get; set; }
    /// <summary>Before accepting: an exception to throw instead (statement id, attempt number from 1).</summary>
    public Func<string, int, Exception?>? FailAccept { get; set; }

    public void AddStatement(string piaid, string statementId, RemittanceSummary summary, IReadOnlyList<StatementEvent> events, int pageSize = 1000, long? totalEvents = -1) =>
        _statements[(piaid, statementId)] = new Statement(summary, events, pageSize, totalEvents == -1 ? events.Count : totalEvents);

    public static StatementEvent EventOf(MoneyMovement m, long fee = 0) => m.Kind == MoneyMovementKind.Capture
        ? new StatementEvent("captureEvents", m.EventRequestId, m.PaymentIntegratorEventId, m.AmountMicros, fee, null)
        : new StatementEvent("refundEvents", m.EventRequestId, m.PaymentIntegratorEventId, -m.AmountMicros, fee, null);

    public async Task<StatementPage> FetchPageAsync(StatementRef statement, string requestId, long eventOffset, int numberOfEvents, CancellationToken ct)
    {
        var calls = PageCalls.Count(c => c.StatementId == statement.StatementId && c.Offset == eventOffset);
        PageCalls.Enqueue((statement.StatementId, requestId, eventOffset));
        if (FailPage?.Invoke(statement.StatementId, eventOffset, calls) is { } failure) throw failure;
        if (HoldPage is { } hold) await hold(statement.StatementId, eventOffset);
        if (!_statements.TryGetValue((statement.PaymentIntegratorAccountId, statement.StatementId), out var s))
            throw new GoogleCallFailedException("unknown statement", retryable: false, status: 404);
        var take = (int)Math.Max(0, Math.Min(Math.Min(s.PageSize, numberOfEvents), s.Events.Count - eventOffset));
        var events = s.Events.Skip((int)eventOffset).Take(take).ToList();
        var end = eventOffset + take;
        var page = new StatementPage(eventOffset, end < s.Events.Count ? end : null, s.TotalEvents, s.Summary, events, []);
        return AlterPage?.Invoke(statement.StatementId, page) ?? page;
    }

    public Task AcceptAsync(StatementRef statement, string requestId, CancellationToken ct)
    {
        var attempt = AcceptAttempts.Count(c => c.StatementId == statement.StatementId) + 1;
        AcceptAttempts.Enqueue((statement.StatementId, requestId));
        if (FailAccept?.Invoke(statement.StatementId, attempt) is { } failure) throw failure;
        AcceptCalls.Enqueue((statement.StatementId, requestId));
        return Task.CompletedTask;
    }
}
