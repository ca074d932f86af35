using Payments.StandIns.Chaos;
using Payments.Tests.Crash;
using Xunit.Abstractions;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Soak;

/// <summary>
/// The short soak of the normal suite (docs/protocol.md §9, every invariant under chaos): ~45 s of mixed traffic at 40 req/s against a host process, with
/// one kill -9 and restart, Azurite slowed and briefly unreachable through the proxies, the Google stand-in
/// failing 10% of calls and the CRM.COM stand-in slow, failing 10% of bookings and refusing some; then the
/// drain and the ledger audit. Any audit violation fails the test. The full run is
/// <c>dotnet run -c Release --project tests/Payments.LoadDriver -- soak --minutes 10 --rate 200 --chaos</c>.
/// </summary>
[Collection(ChaosCollection.Name)]
[Trait("Category", Category.Soak)]
public sealed class ShortSoakTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_short_soak_with_a_restart_and_faults_ends_with_a_clean_audit()
    {
        using var log = new StringWriter();
        var result = await SoakRunner.RunAsync(new SoakOptions
        {
            Duration = TimeSpan.FromSeconds(45),
            Rate = 40,
            Chaos = true,
            Kills = 1,
            DrainTimeout = TimeSpan.FromSeconds(60),
            Seed = 11,
            Log = log,
        });
        var summary = $"{log}\n{result.Latency}\n\n{result.Audit}\nunfinished: {result.Unfinished}\nsecret lines: {string.Join('\n', result.SecretLines.Take(3))}";
        output.WriteLine(summary);

        Assert.True(result.Clean, summary);
        Assert.Equal(1, result.Audit.Counts.GetValueOrDefault("host: restarts"));
        // The run did something worth auditing.
        Assert.True(result.Audit.Counts.GetValueOrDefault("driver: refund 200") > 50, summary);
        Assert.True(result.Audit.Counts.Where(c => c.Key.StartsWith("operations: Refund Done", StringComparison.Ordinal)).Sum(c => c.Value) > 50, summary);
        // Every money movement was read back from the journal by (PIAID, eventRequestId).
        Assert.True(result.Audit.Counts.GetValueOrDefault("journal: found by (PIAID, eventRequestId)") > 50, summary);
    }
}
