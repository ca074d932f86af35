using Azure;
using Azure.Data.Tables;
using Moq;
using Payments.Core.Storage;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Storage;

/// <summary>The commit loop on a mocked <see cref="TableClient"/>: what a conflict means, the cap, and what is sent.</summary>
[Trait("Category", Category.Unit)]
public sealed class CommitLoopTests
{
    private readonly Mock<TableClient> _table = new(MockBehavior.Strict);

    private static IReadOnlyList<TableTransactionAction> Two(string etag) =>
    [
        new(TableTransactionActionType.UpdateMerge, new TableEntity("p", "state") { ["V"] = 1 }, new ETag(etag)),
        new(TableTransactionActionType.Add, new TableEntity("p", "req|1")),
    ];

    private static Response<IReadOnlyList<Response>> Committed() =>
        Response.FromValue<IReadOnlyList<Response>>([new FakeResponse(204, "W/\"a\""), new FakeResponse(204, "W/\"b\"")], new FakeResponse(202));

    private static TableTransactionFailedException Failed(int status) => new(new RequestFailedException(status, "no", status == 409 ? "EntityAlreadyExists" : "UpdateConditionNotSatisfied", null));

    [Theory]
    [InlineData(409)]
    [InlineData(412)]
    public async Task A_conflict_means_decide_again_on_what_is_there_now(int status)
    {
        _table.SetupSequence(t => t.SubmitTransactionAsync(It.IsAny<IEnumerable<TableTransactionAction>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(Failed(status))
            .ReturnsAsync(Committed());
        var decided = new List<int>();
        var result = await CommitLoop.RunAsync(_table.Object, (attempt, _) =>
        {
            decided.Add(attempt);
            return ValueTask.FromResult(CommitDecision<string>.Commit(Two("W/\"" + attempt + "\""), _ => "committed " + attempt));
        }, "the test row", TimeProvider.System, default);
        Assert.Equal("committed 2", result);
        Assert.Equal([1, 2], decided);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(503)]
    public async Task Any_other_failure_ends_the_loop_at_once(int status)
    {
        _table.Setup(t => t.SubmitTransactionAsync(It.IsAny<IEnumerable<TableTransactionAction>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new RequestFailedException(status, "no"));
        var decisions = 0;
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => CommitLoop.RunAsync(_table.Object, (_, _) =>
        {
            decisions++;
            return ValueTask.FromResult(CommitDecision<string>.Commit(Two("W/\"1\""), _ => "committed"));
        }, "the test row", TimeProvider.System, default));
        Assert.Equal(status, e.Status);
        Assert.Equal(1, decisions);
    }

    [Fact]
    public async Task Conflicts_every_time_end_after_the_cap_with_a_retry_later_answer()
    {
        _table.Setup(t => t.SubmitTransactionAsync(It.IsAny<IEnumerable<TableTransactionAction>>(), It.IsAny<CancellationToken>())).ThrowsAsync(Failed(412));
        var decisions = 0;
        var conflicts = 0;
        var e = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => CommitLoop.RunAsync(_table.Object, (_, _) =>
        {
            decisions++;
            return ValueTask.FromResult(CommitDecision<string>.Commit(Two("W/\"1\""), _ => "committed", atOnce: true));
        }, "the test row", TimeProvider.System, default, (_, _) => { conflicts++; return ValueTask.CompletedTask; }));
        Assert.Contains("the test row", e.Message);
        Assert.Equal(CommitLoop.MaxAttempts, decisions);
        Assert.Equal(CommitLoop.MaxAttempts, conflicts);
    }

    [Fact]
    public async Task An_answer_writes_nothing_and_again_decides_once_more()
    {
        var decisions = 0;
        var result = await CommitLoop.RunAsync(_table.Object, (_, _) =>
            ValueTask.FromResult(++decisions == 1 ? CommitDecision<string>.Again : CommitDecision<string>.Answer("replayed")),
            "the test row", TimeProvider.System, default);
        Assert.Equal(("replayed", 2), (result, decisions));
        _table.VerifyNoOtherCalls(); // strict: no write was attempted
    }

    [Fact]
    public async Task A_single_conditional_merge_goes_as_a_plain_merge_and_a_bad_batch_is_refused_before_sending()
    {
        var merge = new TableEntity("p", "op|1") { ["State"] = "Done" };
        _table.Setup(t => t.UpdateEntityAsync<ITableEntity>(merge, new ETag("W/\"7\""), TableUpdateMode.Merge, It.IsAny<CancellationToken>()))
            .ThrowsAsync(new RequestFailedException(412, "stale", "UpdateConditionNotSatisfied", null));
        var decisions = 0;
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => CommitLoop.RunAsync(_table.Object, (_, _) =>
            ValueTask.FromResult(++decisions <= 2
                ? CommitDecision<bool>.Commit([new TableTransactionAction(TableTransactionActionType.UpdateMerge, merge, new ETag("W/\"7\""))], _ => true)
                : throw new ConcurrencyConflictException("stop")),
            "the test row", TimeProvider.System, default));
        _table.Verify(t => t.UpdateEntityAsync<ITableEntity>(merge, new ETag("W/\"7\""), TableUpdateMode.Merge, It.IsAny<CancellationToken>()), Times.Exactly(2));

        await Assert.ThrowsAsync<ArgumentException>(() => CommitLoop.RunAsync(_table.Object, (_, _) =>
            ValueTask.FromResult(CommitDecision<bool>.Commit(
            [
                new(TableTransactionActionType.Add, new TableEntity("p1", "a")),
                new(TableTransactionActionType.Add, new TableEntity("p2", "b")),
            ], _ => true)), "the test row", TimeProvider.System, default));
        _table.Verify(t => t.SubmitTransactionAsync(It.IsAny<IEnumerable<TableTransactionAction>>(), It.IsAny<CancellationToken>()), Times.Never);
    }
}
