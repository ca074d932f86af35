using Azure;
using Azure.Data.Tables;
using Payments.Core.Storage;
using Payments.Tests.TestSupport;
using Payments.Core.Idempotency;

namespace Payments.Tests.Storage;

/// <summary>The table behaviours the design relies on, with the SDK client as the app builds it and our
/// <see cref="TableCalls"/>/<see cref="TableChecks"/>, against Azurite.</summary>
[Trait("Category", Category.Storage)]
public class TableClientTests
{
    private static Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source) => StorageTestContext.ToListAsync(source);

    [Fact]
    public async Task Insert_get_and_a_duplicate_insert_conflicts()
    {
        var (_, table) = await StorageTestContext.NewTableAsync();
        var etag = await table.InsertAsync(new TableEntity("p", "r") { ["V"] = "1" });
        var read = await table.GetOrNullAsync("p", "r");
        Assert.Equal(etag, read!.ETag);
        Assert.Null(await table.GetOrNullAsync("p", "missing"));
        var dup = await Assert.ThrowsAsync<RequestFailedException>(() => table.InsertAsync(new TableEntity("p", "r")));
        Assert.Equal((409, "EntityAlreadyExists"), (dup.Status, dup.ErrorCode));
    }

    [Fact]
    public async Task A_merge_with_a_stale_etag_fails_412_and_changes_nothing()
    {
        var (_, table) = await StorageTestContext.NewTableAsync();
        var first = await table.InsertAsync(new TableEntity("p", "r") { ["V"] = "1" });
        var second = await table.MergeAsync(new TableEntity("p", "r") { ["V"] = "2" }, first);
        var stale = await Assert.ThrowsAsync<RequestFailedException>(() => table.MergeAsync(new TableEntity("p", "r") { ["V"] = "3" }, first));
        Assert.Equal(412, stale.Status);
        var read = await table.GetOrNullAsync("p", "r");
        Assert.Equal(("2", second), (read!.GetString("V"), read.ETag));
    }

    [Theory]
    [InlineData("it's", "o'neil''s")]
    [InlineData("100%", "%41%zz")]
    [InlineData("with space", " lead and trail ")]
    [InlineData("é中", "emoji😀")]
    [InlineData("a+b=c&d", "(x,y);[z]")]
    public async Task Keys_with_quotes_percent_and_non_ascii_round_trip(string pk, string rk)
    {
        var (_, table) = await StorageTestContext.NewTableAsync();
        var etag = await table.InsertAsync(new TableEntity(pk, rk) { ["V"] = "1" });
        etag = await table.MergeAsync(new TableEntity(pk, rk) { ["W"] = "3" }, etag);
        var one = Assert.Single(await ToListAsync(table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pk} and RowKey eq {rk}"))));
        Assert.Equal(("1", "3", etag), (one.GetString("V"), one.GetString("W"), one.ETag));
        await table.SubmitAsync([new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(pk, rk) { ["Z"] = "z" }, etag)]);
        var read = await table.GetOrNullAsync(pk, rk);
        Assert.Equal((pk, rk, "z"), (read!.PartitionKey, read.RowKey, read.GetString("Z")));
        await table.DeleteRowAsync(pk, rk, ETag.All);
        Assert.Null(await table.GetOrNullAsync(pk, rk));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\u0001b")]
    [InlineData("a\nb")]
    public async Task Keys_the_service_refuses_are_refused_before_sending(string key)
    {
        var (sent, table) = await StorageTestContext.NewTableAsync();
        var before = sent.Table;
        await Assert.ThrowsAsync<ArgumentException>(() => table.InsertAsync(new TableEntity(key, "r")));
        await Assert.ThrowsAsync<ArgumentException>(() => table.InsertAsync(new TableEntity("p", key)));
        await Assert.ThrowsAsync<ArgumentException>(() => table.GetOrNullAsync(key, "r"));
        await Assert.ThrowsAsync<ArgumentException>(() => table.DeleteRowAsync("p", key, ETag.All));
        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitAsync([new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", key))]));
        Assert.Equal(before, sent.Table);
    }

    [Fact]
    public async Task Int64_and_Int32_round_trip_as_declared_and_the_sdk_does_not_mix_them()
    {
        var (_, table) = await StorageTestContext.NewTableAsync();
        var when = new DateTimeOffset(2026, 11, 21, 6, 30, 15, TimeSpan.Zero).AddTicks(1234567);
        await table.InsertAsync(new TableEntity("p", "r")
        {
            ["Big"] = 9007199254740993L, ["Max"] = long.MaxValue, ["SmallLong"] = 5L, ["Int"] = int.MinValue, ["When"] = when, ["Yes"] = true,
        });
        foreach (var e in new[] { (await table.GetOrNullAsync("p", "r"))!, Assert.Single(await ToListAsync(table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"Big eq {9007199254740993L}")))) })
        {
            Assert.Equal(9007199254740993L, Assert.IsType<long>(e["Big"]));
            Assert.Equal(long.MaxValue, e.GetInt64("Max"));
            Assert.Equal(5L, Assert.IsType<long>(e["SmallLong"]));
            Assert.Equal(int.MinValue, Assert.IsType<int>(e["Int"]));
            Assert.Equal(when, e.GetDateTimeOffset("When"));
            Assert.Equal(true, e.GetBoolean("Yes"));
            // Why each property's type is declared once: the SDK refuses to read one as the other.
            Assert.Throws<InvalidOperationException>(() => e.GetInt64("Int"));
            Assert.Throws<InvalidOperationException>(() => e.GetInt32("SmallLong"));
        }
    }

    [Fact]
    public async Task A_query_follows_continuations_one_round_trip_per_page()
    {
        var (sent, table) = await StorageTestContext.NewTableAsync();
        for (var batch = 0; batch < 3; batch++)
            await table.SubmitAsync(Enumerable.Range(batch * 10, batch == 2 ? 5 : 10)
                .Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", $"r{i:D3}") { ["I"] = i })).ToList());
        var before = sent.Table;
        var pages = await ToListAsync(table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {"p"}"), maxPerPage: 10).AsPages());
        Assert.Equal([10, 10, 5], pages.Select(p => p.Values.Count));
        Assert.Equal(3, sent.Table - before);
        Assert.Null(pages[^1].ContinuationToken);

        // Resuming from a saved continuation (the retention cursor) goes on where the page left off.
        var rest = await ToListAsync(table.QueryAsync<TableEntity>(maxPerPage: 10).AsPages(pages[0].ContinuationToken, 10));
        Assert.Equal(Enumerable.Range(10, 15), rest.SelectMany(p => p.Values).Select(e => e.GetInt32("I")!.Value));
    }

    [Fact]
    public async Task A_batch_is_all_or_nothing_and_names_the_failed_operation()
    {
        var (_, table) = await StorageTestContext.NewTableAsync();
        await table.InsertAsync(new TableEntity("p", "r2") { ["V"] = "original" });
        var e = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitAsync(
        [
            new(TableTransactionActionType.Add, new TableEntity("p", "r0")),
            new(TableTransactionActionType.Add, new TableEntity("p", "r1")),
            new(TableTransactionActionType.Add, new TableEntity("p", "r2") { ["V"] = "dup" }),
            new(TableTransactionActionType.Add, new TableEntity("p", "r3")),
        ]));
        Assert.Equal((409, 2), (e.Status, e.FailedTransactionActionIndex));
        Assert.Null(await table.GetOrNullAsync("p", "r0"));
        Assert.Null(await table.GetOrNullAsync("p", "r1"));
        Assert.Null(await table.GetOrNullAsync("p", "r3"));
        Assert.Equal("original", (await table.GetOrNullAsync("p", "r2"))!.GetString("V"));

        var etag = (await table.GetOrNullAsync("p", "r2"))!.ETag;
        await table.MergeAsync(new TableEntity("p", "r2") { ["V"] = "moved" }, etag);
        var stale = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitAsync(
        [
            new(TableTransactionActionType.Add, new TableEntity("p", "b")),
            new(TableTransactionActionType.UpdateMerge, new TableEntity("p", "r2") { ["V"] = "late" }, etag),
        ]));
        Assert.Equal((412, 1), (stale.Status, stale.FailedTransactionActionIndex));
        Assert.Null(await table.GetOrNullAsync("p", "b"));

        var etags = await table.SubmitAsync(
        [
            new(TableTransactionActionType.Add, new TableEntity("p", "new") { ["V"] = 9L }),
            new(TableTransactionActionType.Delete, new TableEntity("p", "r2"), ETag.All),
        ]);
        Assert.Equal((await table.GetOrNullAsync("p", "new"))!.ETag, etags[0]);
        Assert.Null(await table.GetOrNullAsync("p", "r2"));
    }

    [Fact]
    public async Task Batch_rules_azurite_does_not_enforce_are_refused_before_sending()
    {
        var (sent, table) = await StorageTestContext.NewTableAsync();
        var before = sent.Table;
        var twoPartitions = await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitAsync(
        [
            new(TableTransactionActionType.Add, new TableEntity("p1", "r1")),
            new(TableTransactionActionType.Add, new TableEntity("p2", "r2")),
        ]));
        Assert.Contains("PartitionKey", twoPartitions.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitAsync(
            Enumerable.Range(0, 101).Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", $"r{i}"))).ToList()));
        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitAsync(
        [
            new(TableTransactionActionType.Add, new TableEntity("p", "r")),
            new(TableTransactionActionType.UpdateMerge, new TableEntity("p", "r"), ETag.All),
        ]));
        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitAsync([]));
        // Without an ETag the SDK would send a merge without If-Match: an upsert, not a conditional merge.
        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitAsync([new(TableTransactionActionType.UpdateMerge, new TableEntity("p", "r"))]));
        var big = new string('x', 32 * 1024);
        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitAsync(Enumerable.Range(0, 100).Select(i =>
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", $"r{i}") { ["S0"] = big, ["S1"] = big })).ToList()));
        Assert.Equal(before, sent.Table);

        await table.SubmitAsync(Enumerable.Range(0, 100).Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", $"r{i:D3}"))).ToList());
        Assert.Equal(100, (await ToListAsync(table.QueryAsync<TableEntity>())).Count);
    }

    [Fact]
    public async Task Entity_limits_are_enforced_before_sending()
    {
        var (sent, table) = await StorageTestContext.NewTableAsync();
        var before = sent.Table;
        var tooMany = new TableEntity("p", "r");
        for (var i = 0; i < 253; i++) tooMany[$"P{i}"] = i;
        await Assert.ThrowsAsync<ArgumentException>(() => table.InsertAsync(tooMany));
        await Assert.ThrowsAsync<ArgumentException>(() => table.UpsertAsync(tooMany));
        await Assert.ThrowsAsync<ArgumentException>(() => table.InsertAsync(new TableEntity("p", "r") { ["S"] = new string('x', 32 * 1024 + 1) }));
        await Assert.ThrowsAsync<ArgumentException>(() => table.ReplaceAsync(new TableEntity("p", "r") { ["B"] = new byte[64 * 1024 + 1] }, ETag.All));
        var tooBig = new TableEntity("p", "r");
        for (var i = 0; i < 17; i++) tooBig[$"S{i}"] = new string('y', 32 * 1024);
        await Assert.ThrowsAsync<ArgumentException>(() => table.MergeAsync(tooBig, ETag.All));
        await Assert.ThrowsAsync<ArgumentException>(() => table.InsertAsync(new TableEntity("p", "r") { ["D"] = 1.5m }));
        Assert.Equal(before, sent.Table);

        var atLimit = new TableEntity("p", "limit");
        for (var i = 0; i < 252; i++) atLimit[$"P{i}"] = i;
        atLimit["P0"] = new string('z', 32 * 1024);
        await table.InsertAsync(atLimit);
        Assert.Equal(252, (await table.GetOrNullAsync("p", "limit"))!.Keys.Count(k => k.StartsWith('P') && k != "PartitionKey"));
    }
}
