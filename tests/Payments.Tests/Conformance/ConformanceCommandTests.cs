using Payments.Conformance;
using Payments.Core.Protocol;
using Xunit.Abstractions;

namespace Payments.Tests.Conformance;

/// <summary>The conformance command against the local host in each security mode: exit 0, every check passes,
/// and every method the app serves went through its success path and the echo probes ran.</summary>
[Trait("Category", "EndToEnd")]
public sealed class ConformanceCommandTests(ITestOutputHelper log)
{
    [Theory]
    [InlineData(SecurityMode.Pgp)]
    [InlineData(SecurityMode.Jwe)]
    public async Task Every_check_passes_against_the_local_host(SecurityMode mode)
    {
        await using var rig = await ConformanceRig.StartAsync(mode);
        var (exitCode, output) = await rig.RunAsync(log);

        Assert.True(exitCode == 0, output);
        Assert.Empty(ConformanceRig.Lines(output, "FAIL"));
        Assert.Empty(ConformanceRig.Lines(output, "SKIP"));
        var passed = ConformanceRig.Lines(output, "PASS");
        foreach (var method in ProtocolMethods.All)
        {
            Assert.Contains($"PASS {method.Route} success", passed);
            Assert.Contains($"PASS {method.Route} stale timestamp", passed);
            Assert.Contains($"PASS {method.Route} future timestamp", passed);
        }
        var probes = new List<string> { "probe: non-JSON", "probe: wrong signing key", "probe: unknown encryption key" };
        if (mode == SecurityMode.Pgp) probes.Add("probe: several signatures, one by Google");
        foreach (var echo in ProtocolMethods.All.Where(m => m.Name == "echo"))
            foreach (var probe in probes)
                Assert.Contains($"PASS {echo.Route} {probe}", passed);
        foreach (var method in ProtocolMethods.All.Where(m => m.Name != "echo"))
        {
            Assert.Contains($"PASS {method.Route} replay identical", passed);
            Assert.Contains($"PASS {method.Route} 412 on a changed body", passed);
        }
        Assert.Contains($"{passed.Count} checks: {passed.Count} passed, 0 failed, 0 skipped.", output);
    }

    [Fact]
    public async Task Without_an_internal_key_the_checks_that_need_a_payment_are_skipped_and_the_summary_says_so()
    {
        await using var rig = await ConformanceRig.StartAsync(SecurityMode.None);
        var (exitCode, output) = await rig.RunAsync(log, internalKey: false);

        Assert.True(exitCode == 0, output);
        Assert.Empty(ConformanceRig.Lines(output, "FAIL"));
        var skipped = ConformanceRig.Lines(output, "SKIP");
        Assert.Contains(skipped, l => l.StartsWith($"SKIP {ProtocolMethods.AsynchronousRefundV1.Route} store payment", StringComparison.Ordinal));
        Assert.Contains(skipped, l => l.StartsWith($"SKIP {ProtocolMethods.CancelReferenceNumberV2.Route} already paid", StringComparison.Ordinal));
        Assert.Contains("run again with --internal-key", output);
    }

    [Fact]
    public async Task An_endpoint_that_does_not_answer_fails_one_check_and_exits_1()
    {
        var output = new StringWriter();
        var port = Payments.StandIns.Chaos.LocalHostProcess.FreePort();
        Assert.Equal(1, await ConformanceCommand.RunAsync(["--base-url", $"http://127.0.0.1:{port}/", "--account", "A", "--security", "none"], output));
        Assert.Single(ConformanceRig.Lines(output.ToString(), "FAIL"), l => l.StartsWith("FAIL endpoint answers: HttpRequestException", StringComparison.Ordinal));
        Assert.Contains("1 checks: 0 passed, 1 failed, 0 skipped.", output.ToString());
    }

    [Fact]
    public async Task A_usage_error_exits_2_with_the_usage()
    {
        var output = new StringWriter();
        Assert.Equal(2, await ConformanceCommand.RunAsync(["--base-url", "http://127.0.0.1:1/", "--account", "A", "--security", "pgp"], output));
        Assert.Contains("needs Google's private key", output.ToString());
    }
}
