using Payments.Core.Storage;

namespace Payments.Tests.Storage;

public class TableClientTests
{
    [Fact]
    public async Task Create_table_is_idempotent()
    {
        var (_, table) = await StorageTestContext.NewTableAsync();
        await table.CreateIfNotExistsAsync();
        await table.CreateIfNotExistsAsync();
    }

    [Fact]
    public async Task Insert_get_and_duplicate_insert_conflicts()
    {
        var (_, table) = await StorageTestContext.NewTableAsync();
        var entity = new TableEntity("p1", "r1") { ["Name"] = "alice", ["Count"] = 3 };
        var etag = await table.InsertAsync(entity);
        Assert.False(string.IsNullOrEmpty(etag));

        var read = await table.GetAsync("p1", "r1");
        Assert.NotNull(read);
        Assert.Equal("alice", read.GetString("Name"));
        Assert.Equal(3, read.GetInt32("Count"));
        Assert.Equal(etag, read.ETag);
        Assert.NotNull(read.Timestamp);
        Assert.False(read.Properties.ContainsKey("Timestamp"));

        var e = await Assert.ThrowsAsync<StorageRequestFailedException>(() => table.InsertAsync(new TableEntity("p1", "r1") { ["Name"] = "bob" }));
        Assert.Equal(409, e.Status);
        Assert.Equal("EntityAlreadyExists", e.ErrorCode);
        Assert.Equal("alice", (await table.GetAsync("p1", "r1"))!.GetString("Name"));
    }

    [Fact]
    public async Task Get_missing_returns_null()
    {
        var (_, table) = await StorageTestContext.NewTableAsync();
        Assert.Null(await table.GetAsync("nope", "nope"));
    }

    [Fact]
    public async Task Get_with_select_returns_only_selected_properties()
    {
        var (_, table) = await StorageTestContext.NewTableAsync();
        await table.InsertAsync(new TableEntity("p", "r") { ["A"] = "a", ["B"] = "b", ["C"] = 5L });
        var read = await table.GetAsync("p", "r", ["A", "C"]);
        Assert.NotNull(read);
        Assert.Equal("a", read.GetString("A"));
        Assert.Equal(5L, read.GetInt64("C"));
        Assert.False(read.Properties.ContainsKey("B"));
    }

    [Fact]
    public async Task Replace_with_stale_etag_fails_412_and_leaves_entity_unchanged()
    {
        var (_, table) = await StorageTestContext.NewTableAsync();
        var first = await table.InsertAsync(new TableEntity("p", "r") { ["V"] = 1 });
        var second = await table.ReplaceAsync(new TableEntity("p", "r") { ["V"] = 2 }, first);
        Assert.NotEqual(first, second);

        var e = await Assert.ThrowsAsync<StorageRequestFailedException>(() => table.ReplaceAsync(new TableEntity("p", "r") { ["V"] = 3 }, first));
        Assert.Equal(412, e.Status);
        Assert.Equal("UpdateConditionNotSatisfied", e.ErrorCode);
        var m = await Assert.ThrowsAsync<StorageRequestFailedException>(() => table.MergeAsync(new TableEntity("p", "r") { ["W"] = 3 }, first));
        Assert.Equal(412, m.Status);

        var read = await table.GetAsync("p", "r");
        Assert.Equal(2, read!.GetInt32("V"));
        Assert.False(read.Properties.ContainsKey("W"));
        Assert.Equal(second, read.ETag);
    }

    [Fact]
    public async Task Merge_keeps_other_properties_and_replace_drops_them()
    {
        var (_, table) = await StorageTestContext.NewTableAsync();
        var etag = await table.InsertAsync(new TableEntity("p", "r") { ["A"] = "a", ["B"] = "b" });
        etag = await table.MergeAsync(new TableEntity("p", "r") { ["B"] = "b2", ["C"] = "c" }, etag);
        var read = await table.GetAsync("p", "r");
        Assert.Equal(("a", "b2", "c"), (read!.GetString("A"), read.GetString("B"), read.GetString("C")));
        await table.ReplaceAsync(new TableEntity("p", "r") { ["D"] = "d" }, etag);
        read = await table.GetAsync("p", "r");
        Assert.Equal(["D"], read!.Properties.Keys);
        await table.MergeAsync(new TableEntity("p", "r") { ["E"] = "e" }, "*");
        Assert.Equal("e", (await table.GetAsync("p", "r"))!.GetString("E"));
    }

    [Fact]
    public async Task Upsert_inserts_then_replaces()
    {
        var (_, table) = await StorageTestContext.NewTableAsync();
        var e1 = await table.UpsertAsync(new TableEntity("p", "r") { ["A"] = "1", ["B"] = "x" });
        var e2 = await table.UpsertAsync(new TableEntity("p", "r") { ["A"] = "2" });
        Assert.NotEqual(e1, e2);
        var read = await table.GetAsync("p", "r");
        Assert.Equal("2", read!.GetString("A"));
        Assert.False(read.Properties.ContainsKey("B"));

        await table.UpsertMergeAsync(new TableEntity("p", "r") { ["C"] = "c" });
        await table.UpsertMergeAsync(new TableEntity("p", "r2") { ["C"] = "new" });
        read = await table.GetAsync("p", "r");
        Assert.Equal(("2", "c"), (read!.GetString("A"), read.GetString("C")));
        Assert.Equal("new", (await table.GetAsync("p", "r2"))!.GetString("C"));
    }

    [Fact]
    public async Task Delete_with_etag_and_star()
    {
        var (_, table) = await StorageTestContext.NewTableAsync();
        var etag = await table.InsertAsync(new TableEntity("p", "r1"));
        var newer = await table.ReplaceAsync(new TableEntity("p", "r1") { ["X"] = 1 }, etag);
        var stale = await Assert.ThrowsAsync<StorageRequestFailedException>(() => table.DeleteAsync("p", "r1", etag));
        Assert.Equal(412, stale.Status);
        await table.DeleteAsync("p", "r1", newer);
        Assert.Null(await table.GetAsync("p", "r1"));

        await table.InsertAsync(new TableEntity("p", "r2"));
        await table.DeleteAsync("p", "r2");
        Assert.Null(await table.GetAsync("p", "r2"));
        var missing = await Assert.ThrowsAsync<StorageRequestFailedException>(() => table.DeleteAsync("p", "r2"));
        Assert.Equal(404, missing.Status);
    }

    [Theory]
    [InlineData("it's", "o'neil''s")]
    [InlineData("100%", "%41%zz")]
    [InlineData("with space", " lead and trail ")]
    [InlineData("é中", "emoji😀")]
    [InlineData("a+b=c&d", "(x,y);[z]")]
    public async Task Special_keys_round_trip(string pk, string rk)
    {
        var (_, table) = await StorageTestContext.NewTableAsync();
        var etag = await table.InsertAsync(new TableEntity(pk, rk) { ["V"] = "1" });
        var read = await table.GetAsync(pk, rk);
        Assert.NotNull(read);
        Assert.Equal((pk, rk), (read.PartitionKey, read.RowKey));

        etag = await table.ReplaceAsync(new TableEntity(pk, rk) { ["V"] = "2" }, etag);
        etag = await table.MergeAsync(new TableEntity(pk, rk) { ["W"] = "3" }, etag);
        var filter = $"PartitionKey eq '{pk.Replace("'", "''")}' and RowKey eq '{rk.Replace("'", "''")}'";
        var found = await ToListAsync(table.QueryAsync(filter));
        var one = Assert.Single(found);
        Assert.Equal(("2", "3"), (one.GetString("V"), one.GetString("W")));
        Assert.Equal(etag, one.ETag);

        await table.SubmitTransactionAsync([new TableTransactionAction(TableTransactionActionType.Merge, new TableEntity(pk, rk) { ["Z"] = "z" }, etag)]);
        Assert.Equal("z", (await table.GetAsync(pk, rk))!.GetString("Z"));

        await table.DeleteAsync(pk, rk);
        Assert.Null(await table.GetAsync(pk, rk));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\u0001b")]
    [InlineData("a\nb")]
    public async Task Invalid_keys_are_refused_before_sending(string key)
    {
        var (service, table) = await StorageTestContext.NewTableAsync();
        var before = service.RequestsSent;
        await Assert.ThrowsAsync<ArgumentException>(() => table.InsertAsync(new TableEntity(key, "r")));
        await Assert.ThrowsAsync<ArgumentException>(() => table.InsertAsync(new TableEntity("p", key)));
        await Assert.ThrowsAsync<ArgumentException>(() => table.GetAsync(key, "r"));
        await Assert.ThrowsAsync<ArgumentException>(() => table.DeleteAsync("p", key));
        Assert.Equal(before, service.RequestsSent);
    }

    [Fact]
    public async Task Typed_values_round_trip_exactly()
    {
        var (_, table) = await StorageTestContext.NewTableAsync();
        var when = new DateTimeOffset(2026, 11, 21, 6, 30, 15, TimeSpan.FromHours(2)).AddTicks(1234567);
        var guid = Guid.NewGuid();
        byte[] bytes = [0, 1, 2, 250, 255, 0x7f];
        var entity = new TableEntity("p", "r")
        {
            ["Big"] = 9007199254740993L,
            ["Max"] = long.MaxValue,
            ["Min"] = long.MinValue,
            ["SmallLong"] = 5L,
            ["Int"] = int.MinValue,
            ["When"] = when,
            ["Utc"] = new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc),
            ["Id"] = guid,
            ["Bytes"] = bytes,
            ["Empty"] = Array.Empty<byte>(),
            ["Yes"] = true,
            ["No"] = false,
            ["Pi"] = Math.PI,
            ["Whole"] = 2.0,
            ["Tiny"] = double.Epsilon,
            ["Text"] = "<x> & \"y\" é中😀",
            ["NumericText"] = "12345678901234567890",
            ["Nothing"] = null,
        };
        await table.InsertAsync(entity);
        var read = await table.GetAsync("p", "r");
        Assert.NotNull(read);
        await AssertTyped(read);
        var queried = Assert.Single(await ToListAsync(table.QueryAsync("RowKey eq 'r'")));
        await AssertTyped(queried);
        Assert.Equal(9007199254740993L, Assert.Single(await ToListAsync(table.QueryAsync("Big eq 9007199254740993L"))).GetInt64("Big"));

        Task AssertTyped(TableEntity e)
        {
            Assert.Equal(9007199254740993L, Assert.IsType<long>(e["Big"]));
            Assert.Equal(long.MaxValue, Assert.IsType<long>(e["Max"]));
            Assert.Equal(long.MinValue, Assert.IsType<long>(e["Min"]));
            Assert.Equal(5L, Assert.IsType<long>(e["SmallLong"]));
            Assert.Equal(int.MinValue, Assert.IsType<int>(e["Int"]));
            Assert.Equal(when, Assert.IsType<DateTimeOffset>(e["When"]));
            Assert.Equal(TimeSpan.Zero, e.GetDateTimeOffset("When")!.Value.Offset);
            Assert.Equal(new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.Zero), e["Utc"]);
            Assert.Equal(guid, Assert.IsType<Guid>(e["Id"]));
            Assert.Equal(bytes, Assert.IsType<byte[]>(e["Bytes"]));
            Assert.Equal(true, e.GetBoolean("Yes"));
            Assert.Equal(false, e.GetBoolean("No"));
            Assert.Equal(Math.PI, Assert.IsType<double>(e["Pi"]));
            Assert.Equal(2.0, Assert.IsType<double>(e["Whole"]));
            Assert.Equal(double.Epsilon, Assert.IsType<double>(e["Tiny"]));
            Assert.Equal("<x> & \"y\" é中😀", e.GetString("Text"));
            Assert.Equal("12345678901234567890", Assert.IsType<string>(e["NumericText"]));
            Assert.False(e.Properties.ContainsKey("Nothing"));
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task Query_follows_continuations_across_pages()
    {
        var (service, table) = await StorageTestContext.NewTableAsync();
        for (var batch = 0; batch < 3; batch++)
        {
            var actions = Enumerable.Range(batch * 10, batch == 2 ? 5 : 10)
                .Select(i => new TableTransactionAction(TableTransactionActionType.Insert, new TableEntity("p", $"r{i:D3}") { ["I"] = i }))
                .ToList();
            await table.SubmitTransactionAsync(actions);
        }
        var before = service.RequestsSent;
        var pages = await ToListAsync(table.QueryPagesAsync(filter: "PartitionKey eq 'p'", pageSize: 10));
        Assert.Equal(3, pages.Count);
        Assert.Equal(3, service.RequestsSent - before);
        Assert.Equal([10, 10, 5], pages.Select(p => p.Count));

        before = service.RequestsSent;
        var all = await ToListAsync(table.QueryAsync(pageSize: 10));
        Assert.Equal(3, service.RequestsSent - before);
        Assert.Equal(Enumerable.Range(0, 25), all.Select(e => e.GetInt32("I")!.Value));
        Assert.All(all, e => Assert.False(string.IsNullOrEmpty(e.ETag)));

        var selected = await ToListAsync(table.QueryAsync("I ge 20", select: ["I"]));
        Assert.Equal(5, selected.Count);
        Assert.All(selected, e => Assert.Equal(["I"], e.Properties.Keys));
    }

    [Fact]
    public async Task Transaction_commits_all_operations_and_returns_etags()
    {
        var (_, table) = await StorageTestContext.NewTableAsync();
        var existing = await table.InsertAsync(new TableEntity("p", "keep") { ["V"] = 1 });
        await table.InsertAsync(new TableEntity("p", "gone"));
        await table.InsertAsync(new TableEntity("p", "merge") { ["A"] = "a" });
        var etags = await table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Insert, new TableEntity("p", "new") { ["V"] = 9L }),
            new(TableTransactionActionType.Replace, new TableEntity("p", "keep") { ["V"] = 2 }, existing),
            new(TableTransactionActionType.Delete, new TableEntity("p", "gone")),
            new(TableTransactionActionType.Merge, new TableEntity("p", "merge") { ["B"] = "b" }),
            new(TableTransactionActionType.UpsertReplace, new TableEntity("p", "up1") { ["U"] = 1 }),
            new(TableTransactionActionType.UpsertMerge, new TableEntity("p", "up2") { ["U"] = 2 }),
        ]);
        Assert.Equal(6, etags.Count);
        Assert.Null(etags[2]);
        Assert.All(new[] { 0, 1, 3, 4, 5 }, i => Assert.False(string.IsNullOrEmpty(etags[i])));
        Assert.Equal(etags[1], (await table.GetAsync("p", "keep"))!.ETag);
        Assert.Equal(2, (await table.GetAsync("p", "keep"))!.GetInt32("V"));
        Assert.Null(await table.GetAsync("p", "gone"));
        var merged = await table.GetAsync("p", "merge");
        Assert.Equal(("a", "b"), (merged!.GetString("A"), merged.GetString("B")));
        Assert.Equal(9L, (await table.GetAsync("p", "new"))!.GetInt64("V"));
        Assert.NotNull(await table.GetAsync("p", "up2"));
    }

    [Fact]
    public async Task Transaction_rolls_back_and_reports_the_failing_index()
    {
        var (_, table) = await StorageTestContext.NewTableAsync();
        await table.InsertAsync(new TableEntity("p", "r2") { ["V"] = "original" });
        var e = await Assert.ThrowsAsync<StorageRequestFailedException>(() => table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Insert, new TableEntity("p", "r0")),
            new(TableTransactionActionType.Insert, new TableEntity("p", "r1")),
            new(TableTransactionActionType.Insert, new TableEntity("p", "r2") { ["V"] = "dup" }),
            new(TableTransactionActionType.Insert, new TableEntity("p", "r3")),
        ]));
        Assert.Equal(409, e.Status);
        Assert.Equal("EntityAlreadyExists", e.ErrorCode);
        Assert.Equal(2, e.FailedOperationIndex);
        Assert.Null(await table.GetAsync("p", "r0"));
        Assert.Null(await table.GetAsync("p", "r1"));
        Assert.Null(await table.GetAsync("p", "r3"));
        Assert.Equal("original", (await table.GetAsync("p", "r2"))!.GetString("V"));
    }

    [Fact]
    public async Task Transaction_with_stale_etag_reports_412_and_index()
    {
        var (_, table) = await StorageTestContext.NewTableAsync();
        var etag = await table.InsertAsync(new TableEntity("p", "a") { ["V"] = 1 });
        await table.ReplaceAsync(new TableEntity("p", "a") { ["V"] = 2 }, etag);
        var e = await Assert.ThrowsAsync<StorageRequestFailedException>(() => table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Insert, new TableEntity("p", "b")),
            new(TableTransactionActionType.Replace, new TableEntity("p", "a") { ["V"] = 3 }, etag),
        ]));
        Assert.Equal(412, e.Status);
        Assert.Equal(1, e.FailedOperationIndex);
        Assert.Null(await table.GetAsync("p", "b"));
    }

    [Fact]
    public async Task Transaction_rules_are_enforced_before_sending()
    {
        var (service, table) = await StorageTestContext.NewTableAsync();
        var before = service.RequestsSent;
        var twoPartitions = await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Insert, new TableEntity("p1", "r1")),
            new(TableTransactionActionType.Insert, new TableEntity("p2", "r2")),
        ]));
        Assert.Contains("PartitionKey", twoPartitions.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(
            Enumerable.Range(0, 101).Select(i => new TableTransactionAction(TableTransactionActionType.Insert, new TableEntity("p", $"r{i}"))).ToList()));
        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Insert, new TableEntity("p", "r")),
            new(TableTransactionActionType.Merge, new TableEntity("p", "r")),
        ]));
        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync([]));
        var big = new string('x', 32 * 1024);
        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(
            Enumerable.Range(0, 100).Select(i =>
            {
                var entity = new TableEntity("p", $"r{i}");
                for (var j = 0; j < 2; j++) entity[$"S{j}"] = big;
                return new TableTransactionAction(TableTransactionActionType.Insert, entity);
            }).ToList()));
        Assert.Equal(before, service.RequestsSent);
        Assert.Empty(await ToListAsync(table.QueryAsync()));

        // exactly 100 is fine
        await table.SubmitTransactionAsync(Enumerable.Range(0, 100)
            .Select(i => new TableTransactionAction(TableTransactionActionType.Insert, new TableEntity("p", $"r{i:D3}"))).ToList());
        Assert.Equal(100, (await ToListAsync(table.QueryAsync())).Count);
    }

    [Fact]
    public async Task Entity_limits_are_enforced_before_sending()
    {
        var (service, table) = await StorageTestContext.NewTableAsync();
        var before = service.RequestsSent;

        var tooMany = new TableEntity("p", "r");
        for (var i = 0; i < 253; i++) tooMany[$"P{i}"] = i;
        await Assert.ThrowsAsync<ArgumentException>(() => table.InsertAsync(tooMany));
        await Assert.ThrowsAsync<ArgumentException>(() => table.UpsertAsync(tooMany));

        var longString = new TableEntity("p", "r") { ["S"] = new string('x', 32 * 1024 + 1) };
        await Assert.ThrowsAsync<ArgumentException>(() => table.InsertAsync(longString));
        var bigBinary = new TableEntity("p", "r") { ["B"] = new byte[64 * 1024 + 1] };
        await Assert.ThrowsAsync<ArgumentException>(() => table.ReplaceAsync(bigBinary, "*"));
        var tooBig = new TableEntity("p", "r");
        for (var i = 0; i < 17; i++) tooBig[$"S{i}"] = new string('y', 32 * 1024);
        await Assert.ThrowsAsync<ArgumentException>(() => table.MergeAsync(tooBig, "*"));
        var unsupported = new TableEntity("p", "r") { ["D"] = 1.5m };
        await Assert.ThrowsAsync<ArgumentException>(() => table.InsertAsync(unsupported));
        Assert.Equal(before, service.RequestsSent);

        var atLimit = new TableEntity("p", "limit");
        for (var i = 0; i < 252; i++) atLimit[$"P{i}"] = i;
        atLimit["P0"] = new string('z', 32 * 1024);
        await table.InsertAsync(atLimit);
        Assert.Equal(252, (await table.GetAsync("p", "limit"))!.Properties.Count);
    }

    internal static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source) list.Add(item);
        return list;
    }
}
