using Payments.Core.Protocol;
using Payments.Core.Security;
using Payments.StandIns.Gsp;

namespace Payments.Conformance;

/// <summary>
/// The conformance check: plays Google against <c>--base-url</c> and runs <see cref="MethodChecks"/>, one line per
/// check and a summary. Exit code 0 when nothing failed (skipped checks are named in the summary), 1 when a check
/// failed, 2 on a usage or key error.
/// </summary>
public static class ConformanceCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        ConformanceOptions options;
        GoogleSide side;
        try
        {
            options = ConformanceOptions.Parse(args);
            side = GoogleSide.Load(options);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IOException or UnauthorizedAccessException or SecurityConfigurationException)
        {
            output.WriteLine(e.Message);
            output.WriteLine(ConformanceOptions.Usage);
            return 2;
        }
        output.WriteLine($"conformance check of {options.BaseUrl} as Google: account {options.Account}, security {options.Security}, run id {options.RunId}, {DateTimeOffset.UtcNow:u}");
        var report = new CheckReport(output);
        using (var caller = new GoogleCaller(options, side))
        {
            // One call first: an endpoint that does not answer at all would otherwise fail every check after its timeout.
            if (await report.RunAsync("endpoint answers", () => caller.PostAsync(ProtocolMethods.EchoRorpcV1.Route, GspRequests.EchoV1(id: options.RunId + "REACH"))).ConfigureAwait(false))
                await new MethodChecks(new ProtocolChecks(options, caller, report)).RunAsync().ConfigureAwait(false);
        }
        report.WriteSummary(Notes(options, report));
        return report.Failed > 0 ? 1 : 0;
    }

    private static IEnumerable<string> Notes(ConformanceOptions options, CheckReport report)
    {
        if (options.Security == SecurityMode.None)
            yield return "Security none: the signature and encryption probes were not run (plain JSON, Development only).";
        else if (options.Security == SecurityMode.Jwe)
            yield return "Security jwe: a compact JWS carries one signature, so the several-signatures probe is PGP only.";
        if (report.Skipped > 0 && options.InternalKey is null)
            yield return "Skipped checks need a paid reference number: run again with --internal-key to pay one through the store-payment route.";
    }
}
