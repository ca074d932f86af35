using Payments.Core.Protocol;
using Payments.StandIns.Chaos;
using Payments.StandIns.Gsp;

namespace Payments.Tests.Crash;

/// <summary>Storage unreachable (through the proxy) while Google calls: the answer is a retryable error, nothing is
/// stored, and the same request succeeds once storage is back.</summary>
[Collection(ChaosCollection.Name)]
public sealed class StorageOutageTests(CrashRigFixture fixture) : IClassFixture<CrashRigFixture>
{
    private async Task<((int Status, string Body) During, (int Status, string Body) After, LocalHostProcess Host)> CallThroughOutageAsync()
    {
        var rig = fixture.Rig;
        var host = await rig.StartHostAsync("outage");
        using var client = new GspClient(host.BaseAddress, timeout: TimeSpan.FromSeconds(60));
        var request = GspRequests.GenerateV1(GspRequests.NewId("G"), 3_000_000);
        rig.TableProxy.Down = true;
        (int, string) during;
        try
        {
            during = await client.PostAsync(ProtocolMethods.GenerateReferenceNumberV1.Route, request.ToJsonString());
        }
        finally
        {
            rig.TableProxy.Down = false;
        }
        var after = await client.PostAsync(ProtocolMethods.GenerateReferenceNumberV1.Route, GspRequests.Refreshed(request).ToJsonString());
        return (during, after, host);
    }

    [Fact]
    public async Task Tables_unreachable_answers_a_retryable_error_and_the_retry_after_the_outage_succeeds()
    {
        var (during, after, host) = await CallThroughOutageAsync();
        await using var _ = host;
        Assert.True(during.Status == 503, $"storage down answered {during.Status}: {during.Body}");
        Assert.True(after.Status == 200, after.Body); // the error was not stored: the retry is evaluated afresh
    }

    [Fact]
    public async Task Tables_unreachable_answers_503_dependency_down()
    {
        var (during, _, host) = await CallThroughOutageAsync();
        await using var _ = host;
        Assert.Equal(503, during.Status);
    }
}
