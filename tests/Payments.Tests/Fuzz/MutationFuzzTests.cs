using Azure;
using Azure.Data.Tables;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Payments.Core.Hosting;
using Payments.Core.Protocol;
using Payments.Core.Storage;
using Payments.Core.Idempotency;
using Payments.Core.Journal;
using Payments.Core.Transactions;
using Microsoft.Extensions.DependencyInjection;
using Payments.Tests.EndToEnd;
using Payments.StandIns.Gsp;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Fuzz;

/// <summary>
/// Invariant 6: bad input of any shape gets a protocol answer, never a 5xx, and never changes state.
/// Ten thousand mutations (fields dropped, retyped, duplicated, truncated, oversized, renamed,
/// re-versioned, posted to the wrong method) of valid requests that were already served once, sent
/// over HTTP to the local host (its own tables on the shared Azurite). Every entity that changed during the run must
/// belong to a call that was answered 200.
/// </summary>
[Trait("Category", Category.EndToEnd)]
public sealed class MutationFuzzTests
{
    private const int Mutations = 10_000;
    private static readonly int[] Allowed = [200, 400, 401, 404, 409, 412, 413];

    [Fact]
    public async Task Ten_thousand_mutated_requests_never_fail_with_5xx_and_never_change_state()
    {
        await using var host = await LocalHostUnderTest.StartAsync();
        var bases = await ServeBaseRequestsAsync(host);
        await WaitUntilFinishedAsync(host);
        var before = await SnapshotAsync(host);

        var random = new Random(20261121);
        var work = Enumerable.Range(0, Mutations).Select(_ => Mutate(random, bases[random.Next(bases.Count)])).ToList();
        var answered = new ConcurrentBag<(int Status, string? RequestId, string Route, string Mutation, string Body)>();
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (m, _) =>
        {
            using var content = new ByteArrayContent(m.Body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await host.Http.PostAsync("/" + m.Route, content);
            var text = await response.Content.ReadAsStringAsync();
            answered.Add(((int)response.StatusCode, RequestIdOf(m.Body), m.Route, m.Kind, text));
        });

        var unexpected = answered.Where(a => !Allowed.Contains(a.Status)).Take(5).ToList();
        Assert.True(unexpected.Count == 0, "unexpected statuses: " + string.Join("; ", unexpected.Select(a => $"{a.Status} {a.Route} {a.Mutation}"))
            + "\n" + string.Join("\n", host.Logs.Lines().Where(l => l.Contains("internal fault", StringComparison.Ordinal)).Select(l => l[..Math.Min(l.Length, 700)]).Take(4)));
        // Every non-200 with a body is an ErrorResponse carrying our error identifier.
        foreach (var a in answered.Where(a => a.Status is 400 or 404 or 412))
        {
            var body = JsonNode.Parse(a.Body)!;
            Assert.False(string.IsNullOrEmpty(body["paymentIntegratorErrorIdentifier"]?.GetValue<string>()), $"{a.Route} {a.Mutation}: {a.Body}");
        }
        Assert.True(answered.Count(a => a.Status != 200) > Mutations * 0.8, "the mutations should mostly be refused");

        await WaitUntilFinishedAsync(host);
        var after = await SnapshotAsync(host);
        var served = answered.Where(a => a.Status == 200 && a.RequestId is not null).Select(a => a.RequestId!).ToHashSet(StringComparer.Ordinal);
        var unexplained = Unexplained(before, after, served).Take(10).ToList();
        Assert.True(unexplained.Count == 0, "state changed by refused requests: " + string.Join("; ", unexplained));
    }

    private sealed record BaseRequest(ProtocolMethod Method, JsonObject Body);
    private sealed record Mutation(string Route, byte[] Body, string Kind);

    /// <summary>One served request of every method, plus the transactions they act on.</summary>
    private static async Task<List<BaseRequest>> ServeBaseRequestsAsync(LocalHostUnderTest host)
    {
        var list = new List<BaseRequest>();
        async Task Serve(ProtocolMethod method, JsonObject body)
        {
            var (status, _, raw) = await host.CallAsync(method, body);
            Assert.True(status == 200, raw);
            list.Add(new BaseRequest(method, body));
        }
        await Serve(ProtocolMethods.EchoRorpcV1, GspRequests.EchoV1());
        await Serve(ProtocolMethods.EchoRorpcV2, GspRequests.EchoV2());
        await Serve(ProtocolMethods.EchoRedirectV1, GspRequests.EchoV1());
        await Serve(ProtocolMethods.EchoEWalletsV1, GspRequests.EchoV1());
        await Serve(ProtocolMethods.GenerateReferenceNumberV1, GspRequests.GenerateV1());
        await Serve(ProtocolMethods.GenerateReferenceNumberV2, GspRequests.GenerateV2());
        var cancelTarget = GspRequests.NewId("G");
        await Serve(ProtocolMethods.GenerateReferenceNumberV2, GspRequests.GenerateV2(cancelTarget));
        await Serve(ProtocolMethods.CancelReferenceNumberV2, GspRequests.CancelReferenceNumberV2(cancelTarget));
        var (paid, _) = await host.PaidReferenceNumberAsync(50_000_000);
        await Serve(ProtocolMethods.AsynchronousRefundV1, GspRequests.RefundV1(paid, 1_000_000));
        var reserve = GspRequests.NewId("F");
        await Serve(ProtocolMethods.ReserveFundsV1, GspRequests.ReserveFundsV1(reserve));
        await Serve(ProtocolMethods.CancelFundsReservationV1, GspRequests.CancelFundsReservationV1(reserve));
        var mandate = GspRequests.NewId("MD");
        await Serve(ProtocolMethods.CreateMandateV1, GspRequests.CreateMandateV1(mandate));
        await Serve(ProtocolMethods.CancelMandateV1, GspRequests.CancelMandateV1(mandate));
        var captured = GspRequests.NewId("F");
        await Serve(ProtocolMethods.ReserveFundsV1, GspRequests.ReserveFundsV1(captured));
        var capture = GspRequests.CaptureFundsReservationV1(captured);
        await Serve(ProtocolMethods.CaptureFundsReservationV1, capture);
        await Serve(ProtocolMethods.RefundRedirectV1, GspRequests.RefundSyncV1(capture["requestHeader"]!["requestId"]!.GetValue<string>(), 1_000_000));
        var charge = GspRequests.CaptureV1();
        await Serve(ProtocolMethods.CaptureEWalletsV1, charge);
        await Serve(ProtocolMethods.RefundEWalletsV1, GspRequests.RefundSyncV1(charge["requestHeader"]!["requestId"]!.GetValue<string>(), 1_000_000, piaid: GspRequests.InrWallet));
        var charged = GspRequests.NewId("MD");
        await Serve(ProtocolMethods.CreateMandateV1, GspRequests.CreateMandateV1(charged));
        await Serve(ProtocolMethods.CaptureEWalletsV1, GspRequests.CaptureV1(mandateId: charged));
        var (_, v1Generated, _) = await host.CallAsync(ProtocolMethods.GenerateReferenceNumberV1, GspRequests.GenerateV1());
        await Serve(ProtocolMethods.CancelReferenceNumberV1, GspRequests.CancelReferenceNumberV1(GspRequests.ReferenceNumberOf(v1Generated)!));
        await Serve(ProtocolMethods.AsynchronousRefundV2, GspRequests.RefundV2(await host.PaidReferenceNumberV2Async(50_000_000), 1_000_000));
        var (periodStart, periodEnd) = (DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow);
        await Serve(ProtocolMethods.RemittanceStatementNotificationRorpcV1, GspRequests.RemittanceStatementNotificationV1(GspRequests.NewId("ST"), GspRequests.Usd, periodStart, periodEnd, 1_000_000));
        await Serve(ProtocolMethods.RemittanceStatementNotificationRorpcV2, GspRequests.RemittanceStatementNotificationV2(GspRequests.NewId("ST"), GspRequests.Usd, periodStart, periodEnd, 1_000_000, 3));
        return list;
    }

    private static readonly string[] Kinds =
    [
        "drop", "drop", "retype", "retype", "retype", "duplicate", "truncate", "rename", "null", "version", "timestamp",
        "hugeNumber", "currency", "negative", "requestId", "wrongRoute", "deep", "garbage", "rootType", "emptyString", "unicodeId", "oversize",
    ];

    private static Mutation Mutate(Random random, BaseRequest b)
    {
        var node = b.Body.DeepClone().AsObject();
        // A fresh timestamp, as Google's retries carry: mutations must not fail on age alone.
        node["requestHeader"]!["requestTimestamp"] = b.Method.Style == HeaderStyle.V1
            ? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString()
            : new JsonObject { ["epochMillis"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString() };
        var kind = Kinds[random.Next(Kinds.Length)];
        var route = b.Method.Route;
        string? text = null;
        switch (kind)
        {
            case "drop": RemoveRandom(random, node); break;
            case "retype": ReplaceRandom(random, node, RandomValue(random)); break;
            case "null": ReplaceRandom(random, node, null); break;
            case "rename": RenameRandom(random, node); break;
            case "version": node["requestHeader"]!["protocolVersion"] = new JsonObject { ["major"] = random.Next(-1, 5) }; break;
            case "timestamp": node["requestHeader"]!["requestTimestamp"] = RandomValue(random); break;
            case "hugeNumber": ReplaceRandom(random, node, JsonValue.Create("99999999999999999999" + random.Next(10))); break;
            case "currency": SetEverywhere(node, "currencyCode", random.Next(3) switch { 0 => "usd", 1 => "XXX", _ => "US" }); break;
            case "negative": SetEverywhere(node, "amountMicros", "-" + random.Next(1, 1000)); SetEverywhere(node, "amount", "-5"); break;
            case "requestId": node["requestHeader"]!["requestId"] = random.Next(3) switch { 0 => "", 1 => new string('x', 101), _ => "bad id/with?chars" }; break;
            case "unicodeId": node["requestHeader"]!["requestId"] = "é中" + random.Next(); break;
            case "emptyString": ReplaceRandom(random, node, JsonValue.Create("")); break;
            case "wrongRoute": route = Payments.Core.Protocol.ProtocolMethods.All[random.Next(Payments.Core.Protocol.ProtocolMethods.All.Count)].Route; break;
            case "deep":
                JsonNode deep = JsonValue.Create(1);
                for (var i = 0; i < 40; i++) deep = new JsonObject { ["d"] = deep };
                node["deep"] = deep;
                break;
            case "oversize":
                if (random.Next(20) == 0) node["padding"] = new string('p', (1 << 20) + 1); // rarely: it is costly
                else ReplaceRandom(random, node, JsonValue.Create(new string('z', random.Next(1000, 70_000))));
                break;
        }
        text ??= node.ToJsonString();
        switch (kind)
        {
            case "duplicate":
                // Repeat one property of some object: {"a":1,...} → {"a":1,"a":1,...}
                var positions = AllIndexes(text, "{\"").ToList();
                var at = positions[random.Next(positions.Count)] + 1;
                var end = text.IndexOfAny([',', '}'], text.IndexOf(':', at));
                if (text[end - 1] is '}' or ']' || text.IndexOf('{', at) < end) end = at; // keep it simple: scalar members only
                if (end > at) text = text[..end] + "," + text[at..end] + text[end..];
                else text = text.Insert(1, "\"requestHeader\":{},");
                break;
            case "truncate":
                text = text[..random.Next(0, text.Length)];
                break;
            case "garbage":
                var bytes = Encoding.UTF8.GetBytes(text);
                for (var i = 0; i < 3; i++) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                return new Mutation(route, bytes, kind);
            case "rootType":
                text = random.Next(3) switch { 0 => "[" + text + "]", 1 => "\"" + text.Replace("\"", "'") + "\"", _ => "null" };
                break;
        }
        return new Mutation(route, Encoding.UTF8.GetBytes(text), kind);
    }

    private static IEnumerable<int> AllIndexes(string s, string value)
    {
        for (var i = s.IndexOf(value, StringComparison.Ordinal); i >= 0; i = s.IndexOf(value, i + 1, StringComparison.Ordinal)) yield return i;
    }

    private static List<(JsonObject Parent, string Name)> Members(JsonObject root)
    {
        var list = new List<(JsonObject, string)>();
        void Walk(JsonObject o)
        {
            foreach (var (name, value) in o.ToList())
            {
                list.Add((o, name));
                if (value is JsonObject child) Walk(child);
            }
        }
        Walk(root);
        return list;
    }

    private static void RemoveRandom(Random random, JsonObject root)
    {
        var members = Members(root);
        var (parent, name) = members[random.Next(members.Count)];
        parent.Remove(name);
    }

    private static void ReplaceRandom(Random random, JsonObject root, JsonNode? value)
    {
        var members = Members(root);
        var (parent, name) = members[random.Next(members.Count)];
        parent[name] = value;
    }

    private static void RenameRandom(Random random, JsonObject root)
    {
        var members = Members(root);
        var (parent, name) = members[random.Next(members.Count)];
        var value = parent[name];
        parent.Remove(name);
        parent[name.ToUpperInvariant()] = value;
    }

    private static void SetEverywhere(JsonObject root, string name, string value)
    {
        foreach (var (parent, member) in Members(root).Where(m => m.Name == name)) parent[member] = value;
    }

    private static JsonNode? RandomValue(Random random) => random.Next(8) switch
    {
        0 => JsonValue.Create(random.Next()),
        1 => JsonValue.Create(random.NextDouble() * 1e20),
        2 => JsonValue.Create(true),
        3 => new JsonArray(1, "a"),
        4 => new JsonObject { ["x"] = "y" },
        5 => JsonValue.Create("not a number"),
        6 => JsonValue.Create(-1),
        _ => null,
    };

    private static string? RequestIdOf(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.GetProperty("requestHeader").GetProperty("requestId").GetString();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            return null;
        }
    }

    internal static async Task<Dictionary<(string Table, string Pk, string Rk), (ETag ETag, TableEntity Entity)>> SnapshotAsync(LocalHostUnderTest host)
    {
        var store = host.Services.GetRequiredService<TransactionStore>();
        var all = new Dictionary<(string, string, string), (ETag, TableEntity)>();
        foreach (var (table, client) in new[] { (TableNames.Transactions, store.Transactions), (TableNames.Requests, store.Requests), (TableNames.Outbox, store.Outbox), (TableNames.Journal, store.Journal) })
            await foreach (var e in client.QueryAsync<TableEntity>())
                all[(table, e.PartitionKey, e.RowKey)] = (e.ETag, e);
        return all;
    }

    /// <summary>Waits until no asynchronous work is unfinished (the pumps and Google stand-in settle it).</summary>
    internal static async Task WaitUntilFinishedAsync(LocalHostUnderTest host)
    {
        var table = host.Services.GetRequiredService<TransactionStore>().Transactions;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var pending = 0;
            await foreach (var _ in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"State eq {OperationStates.Pending} or State eq {OperationStates.Notifying}"))) pending++;
            if (pending == 0) return;
            Assert.True(DateTime.UtcNow < deadline, $"{pending} operations still unfinished");
            await Task.Delay(100);
        }
    }

    /// <summary>Entities new or changed since <paramref name="before"/> that no served call explains: every
    /// key segment holding a request id must name a call answered 200, and a changed transaction must
    /// have a ledger entry of such a call.</summary>
    internal static IEnumerable<string> Unexplained(
        Dictionary<(string Table, string Pk, string Rk), (ETag ETag, TableEntity Entity)> before,
        Dictionary<(string Table, string Pk, string Rk), (ETag ETag, TableEntity Entity)> after,
        HashSet<string> served)
    {
        bool Names(string key) => key.Split('|').Any(served.Contains);
        var changed = after.Where(a => !before.TryGetValue(a.Key, out var b) || b.ETag != a.Value.ETag).ToList();
        var partitionsWithNewLedger = changed
            .Where(c => c.Key.Table == TableNames.Transactions && c.Key.Rk.StartsWith("req|", StringComparison.Ordinal) && Names(c.Key.Rk))
            .Select(c => c.Key.Pk).ToHashSet();
        foreach (var (key, value) in changed)
        {
            var explained = key.Table == TableNames.Transactions
                ? Names(key.Rk) || Names(key.Pk) || partitionsWithNewLedger.Contains(key.Pk)
                // The journal's lookup rows of a served call's money movement (a refund finished meanwhile) name its requestId.
                : key.Table == TableNames.Journal ? Names(key.Rk) || IsOrphan(value.Entity)
                : Names(key.Pk) || ((key.Pk.StartsWith("refnum|", StringComparison.Ordinal) ? ReferenceNumberIndexRow.AnchorOf(value.Entity) : MarkerRow.AnchorOf(value.Entity)) is { } anchor && (Names(anchor) || partitionsWithNewLedger.Contains(anchor)));
            if (!explained) yield return $"{key.Table}/{key.Pk}/{key.Rk}";
        }
        foreach (var key in before.Keys.Where(k => !after.ContainsKey(k))) yield return "deleted " + key;

        // A lookup row whose commit never happened (its decision lost the commit to a concurrent call, which then
        // refused it): the journal's reads confirm every lookup row against the committed mv| row, so it is inert.
        bool IsOrphan(TableEntity row) => JournalRows.Target(row) is var (partition, eventRequestId, _)
            && !after.ContainsKey((TableNames.Transactions, partition, MoneyMovementRow.RowKey(eventRequestId)));
    }
}
