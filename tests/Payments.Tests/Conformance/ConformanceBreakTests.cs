using Payments.Conformance;
using Payments.Core.Protocol;
using Xunit.Abstractions;

namespace Payments.Tests.Conformance;

/// <summary>The conformance command against a local host with one rule broken on purpose (without any switch in
/// the app): exit 1, and the failing checks are the ones of that rule.</summary>
[Trait("Category", "EndToEnd")]
public sealed class ConformanceBreakTests(ITestOutputHelper log)
{
    [Fact]
    public async Task A_replay_that_answers_differently_fails_the_replay_checks()
    {
        await using var rig = await ConformanceRig.StartAsync(SecurityMode.None);
        await using var proxy = await ReplayAlteringProxy.StartAsync(rig.Host.BaseAddress);
        var (exitCode, output) = await rig.RunAsync(log, proxy.BaseAddress);

        Assert.True(exitCode == 1, output);
        Assert.True(proxy.AlteredAnswers > 0);
        var failed = ConformanceRig.Lines(output, "FAIL");
        foreach (var method in ProtocolMethods.All.Where(m => m.Name != "echo"))
            Assert.Contains(failed, l => l.StartsWith($"FAIL {method.Route} replay identical: the replayed answer", StringComparison.Ordinal));
        // Only the rule that is broken: a replay (also the one after the 412) differs.
        Assert.All(failed, l => Assert.True(l.Contains(" replay identical: ", StringComparison.Ordinal) || l.Contains(" 412 on a changed body: the answer after the 412", StringComparison.Ordinal), l));
        Assert.Contains("Failed: ", output);
    }

    [Fact]
    public async Task An_echo_that_accepts_an_unknown_signing_key_fails_the_wrong_signing_key_probe()
    {
        var (strangerSecret, strangerPublic) = GoogleSide.NewKeyPair(SecurityMode.Pgp);
        await using var rig = await ConformanceRig.StartAsync(SecurityMode.Pgp, trustedStrangerPublic: strangerPublic);
        var strangerFile = Path.Combine(rig.KeyDirectory, "stranger-secret.asc");
        await File.WriteAllTextAsync(strangerFile, strangerSecret);
        var (exitCode, output) = await rig.RunAsync(log);

        Assert.True(exitCode == 1, output);
        var failed = ConformanceRig.Lines(output, "FAIL");
        Assert.Equal(ProtocolMethods.All.Where(m => m.Name == "echo").Select(m => m.Route).Order(),
            failed.Select(l => l[5..l.IndexOf(' ', 5)]).Order());
        Assert.All(failed, l => Assert.Contains(" probe: wrong signing key: expected 401 INVALID_PAYLOAD_SIGNATURE, got HTTP 200", l));
    }
}
