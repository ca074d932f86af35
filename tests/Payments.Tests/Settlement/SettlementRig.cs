using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Azure.Data.Tables;
using Payments.Core.Idempotency;
using Payments.Core.Journal;
using Payments.Core.Protocol;
using Payments.Core.Settlement;
using Payments.StandIns.Gsp;
using Payments.Tests.EndToEnd;

namespace Payments.Tests.Settlement;

/// <summary>A local host whose Google statement methods are <see cref="FakeGoogleStatements"/>, serving one extra
/// account per test (each test's billing period holds only its own movements), and what the tests do with it.</summary>
public sealed class SettlementRig : IAsyncLifetime
{
    public static readonly string[] ExtraAccounts = Enumerable.Range(1, 60).Select(i => $"SETTLE_{i:D2}").ToArray();
    private int _nextAccount;

    public LocalHostUnderTest Host { get; private set; } = null!;
    public FakeGoogleStatements Google { get; } = new();

    public async Task InitializeAsync() => Host = await StartAsync(null);

    /// <param name="prefix">the storage names of an earlier host (a restart); null: fresh ones</param>
    public async Task<LocalHostUnderTest> StartAsync(IReadOnlyDictionary<string, string?>? prefix, FakeGoogleStatements? google = null)
    {
        var settings = new Dictionary<string, string?> { ["Payments:AccountIds"] = string.Join(",", LocalHostUnderTest.Accounts.Concat(ExtraAccounts)) };
        foreach (var (k, v) in prefix ?? new Dictionary<string, string?>()) settings[k] = v;
        var fake = google ?? Google;
        return await LocalHostUnderTest.StartAsync(settings: settings, configure: b => b.Services.AddSingleton<IGoogleStatements>(fake));
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public string NewAccount() => ExtraAccounts[Interlocked.Increment(ref _nextAccount) - 1];

    /// <summary>A movement written to the journal as the money-moving commits write it (record + lookup rows).</summary>
    public Task<MoneyMovement> SeedAsync(string piaid, MoneyMovementKind kind, long micros, string currency = "USD") => SeedAsync(Host, piaid, kind, micros, currency);

    public static async Task<MoneyMovement> SeedAsync(LocalHostUnderTest host, string piaid, MoneyMovementKind kind, long micros, string currency = "USD", DateTimeOffset? at = null)
    {
        var id = GspRequests.NewId(kind == MoneyMovementKind.Capture ? "CP" : "RF");
        var movement = new MoneyMovement(piaid, id, "PI-" + id, kind, micros, currency, at ?? DateTimeOffset.UtcNow,
            "refundable-one-time-payment-code-v1", $"{piaid}|seed|{id}");
        await host.Services.GetRequiredService<MoneyJournal>().IndexAsync(movement, CancellationToken.None);
        await host.Services.GetRequiredService<TransactionStore>().Transactions.AddEntityAsync(MoneyMovementRow.ToEntity(movement));
        return movement;
    }

    /// <summary>The billing period around now: every movement a test makes falls in it.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Period() => (DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1));

    public static RemittanceSummary Summary(long due, string currency = "USD", long? totalEvents = null)
    {
        var (start, end) = Period();
        return new RemittanceSummary(Trunc(end.AddSeconds(1)), Trunc(start), Trunc(end), Trunc(end.AddDays(7)), currency, due, totalEvents, null);
    }

    private static DateTimeOffset Trunc(DateTimeOffset at) => DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds());

    /// <summary>Registers the statement at the fake Google and notifies it (v1 of refundable-one-time-payment-code unless
    /// another method is given); returns the statement id.</summary>
    public async Task<string> NotifyAsync(string piaid, IReadOnlyList<StatementEvent> events, long? due = null, int pageSize = 1000,
        ProtocolMethod? method = null, long? totalEvents = -1, string currency = "USD", LocalHostUnderTest? host = null)
    {
        method ??= ProtocolMethods.RemittanceStatementNotificationRorpcV1;
        var id = GspRequests.NewId("ST");
        var total = due ?? events.Sum(e => (e.ChargeMicros ?? 0) + (e.FeeMicros ?? 0));
        var summary = Summary(total, currency, method.Version == 2 ? totalEvents switch { -1 => events.Count, var t => t } : null);
        Google.AddStatement(piaid, id, summary, events, pageSize, method.Version == 2 ? null : totalEvents);
        var request = method.Version == 2
            ? GspRequests.RemittanceStatementNotificationV2(id, piaid, summary.BillingPeriodStart, summary.BillingPeriodEnd, total, summary.TotalEvents, currency)
            : GspRequests.RemittanceStatementNotificationV1(id, piaid, summary.BillingPeriodStart, summary.BillingPeriodEnd, total, currency);
        var (status, _, raw) = await (host ?? Host).CallAsync(method, request);
        Assert.True(status == 200, raw);
        return id;
    }

    public async Task<JsonNode?> ViewAsync(string piaid, string statementId, LocalHostUnderTest? host = null)
    {
        var (status, body) = await (host ?? Host).InternalAsync(HttpMethod.Get, $"/internal/remittance-statements/{piaid}/{statementId}");
        return status == 200 ? JsonNode.Parse(body) : null;
    }

    /// <summary>Waits until the statement is in one of <paramref name="states"/>.</summary>
    public async Task<JsonNode> WaitForAsync(string piaid, string statementId, LocalHostUnderTest? host = null, params string[] states)
    {
        if (states.Length == 0) states = [StatementStates.Accepted, StatementStates.NeedsAttention];
        JsonNode? view = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            view = await ViewAsync(piaid, statementId, host);
            if (view is not null && states.Contains(view["state"]!.GetValue<string>())) return view;
        }
        throw new TimeoutException($"statement {statementId} did not reach {string.Join("/", states)}: {view?.ToJsonString()}");
    }

    public static IEnumerable<string> Statuses(JsonNode view) => view["discrepancies"]!.AsArray().Select(d => d!["status"]!.GetValue<string>());
}
