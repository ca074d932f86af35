using Azure;
using Payments.Core.Protocol;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Protocol;

[Trait("Category", Category.Unit)]
public sealed class DependencyFaultTests
{
    public static TheoryData<Exception> Down => new()
    {
        new AggregateException(new Azure.RequestFailedException(0, "transport"), new Azure.RequestFailedException(0, "transport")),
        new Azure.RequestFailedException(503, "busy"),
        new RequestFailedException(500, "timeout", "OperationTimedOut", null),
        new RequestFailedException(0, "unreachable", null, null),
        new HttpRequestException("connection refused"),
        new InvalidOperationException("wrapped", new System.Net.Sockets.SocketException()),
        new TaskCanceledException("dependency timeout"),
    };

    public static TheoryData<Exception> Ours => new()
    {
        new InvalidOperationException("bug"),
        new RequestFailedException(400, "bad request we built", "InvalidInput", null),
        new NullReferenceException(),
        new AggregateException(new Azure.RequestFailedException(0, "transport"), new InvalidOperationException("bug")),
    };

    [Theory, MemberData(nameof(Down))]
    public void A_dependency_that_is_down_is_503(Exception e) => Assert.True(ProtocolProcessor.IsDependencyDown(e));

    [Theory, MemberData(nameof(Ours))]
    public void Our_own_faults_are_500(Exception e) => Assert.False(ProtocolProcessor.IsDependencyDown(e));
}
