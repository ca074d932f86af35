using System.Diagnostics;
using System.Globalization;
using Payments.Core.Protocol;
using Payments.StandIns.Chaos;
using Payments.StandIns.Gsp;

namespace Payments.Benchmarks.ColdStart;

/// <summary>
/// What Google's first call meets on a fresh instance: the local host published twice (JIT only, and
/// ReadyToRun), each started <see cref="Rounds"/> times in PGP mode (interleaved), measuring process start →
/// <c>/health</c> 200, the first protocol call's latency (echo v1, then generateReferenceNumber v1, the first
/// storage path) and process start → first answered protocol call. The published Functions worker shares
/// Payments.Core with the local host, so the difference carries over (docs/performance.md, cold start).
/// </summary>
internal sealed class ColdStartScenario : IBenchmarkScenario
{
    public string Name => "cold-start";

    private static int Rounds => int.TryParse(Environment.GetEnvironmentVariable("COLDSTART_ROUNDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 6;

    public async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext ctx, CancellationToken ct)
    {
        var root = LocalHostProcess.RepositoryRoot();
        var output = Directory.CreateTempSubdirectory("payments-coldstart-").FullName;
        try
        {
            var variants = new[] { ("jit", false), ("r2r", true) }
                .Select(v => (Name: v.Item1, Dll: Publish(root, Path.Combine(output, v.Item1), v.Item2)))
                .ToList();
            await using var rig = await ChaosRig.StartAsync(new ChaosRigOptions { Pgp = true, ProxyStorage = false, LogLevel = "Warning" }, ct);
            var samples = variants.ToDictionary(v => v.Name, _ => new Samples());
            for (var round = 0; round < Rounds; round++)
                foreach (var (name, dll) in round % 2 == 0 ? variants : Enumerable.Reverse(variants))
                    await MeasureOnceAsync(rig, dll, samples[name], ct);
            return [.. variants.SelectMany(v => samples[v.Name].Results("coldstart." + v.Name))];
        }
        finally
        {
            try { Directory.Delete(output, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task MeasureOnceAsync(ChaosRig rig, string dll, Samples samples, CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        await using var host = await LocalHostProcess.StartAsync(rig.HostEnvironment(), "coldstart", cancellationToken: ct, dll: dll);
        samples.Healthy.Add(Stopwatch.GetElapsedTime(start));
        using var client = new GspClient(host.BaseAddress, rig.GoogleEnvelope);
        var echo = await TimedAsync(client, ProtocolMethods.EchoRorpcV1.Route, GspRequests.EchoV1().ToJsonString(), ct);
        samples.FirstEcho.Add(echo);
        samples.StartToAnswer.Add(Stopwatch.GetElapsedTime(start));
        samples.FirstGenerate.Add(await TimedAsync(client, ProtocolMethods.GenerateReferenceNumberV1.Route,
            GspRequests.GenerateV1().ToJsonString(), ct));
        TimeSpan warm = default;
        for (var i = 0; i < 10; i++)
            warm = await TimedAsync(client, ProtocolMethods.EchoRorpcV1.Route, GspRequests.EchoV1().ToJsonString(), ct);
        samples.WarmEcho.Add(warm);
    }

    private static async Task<TimeSpan> TimedAsync(GspClient client, string route, string json, CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        var (status, body) = await client.PostAsync(route, json, ct);
        var elapsed = Stopwatch.GetElapsedTime(start);
        if (status != 200) throw new InvalidOperationException($"{route} answered {status}: {body}");
        return elapsed;
    }

    private static string Publish(string root, string folder, bool readyToRun)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        foreach (var arg in new[] { "publish", "functions/Payments.LocalHost", "-c", "Release", "-r", "linux-x64", "--self-contained", "false",
                     $"-p:PublishReadyToRun={(readyToRun ? "true" : "false")}", "-o", folder, "--nologo" })
            psi.ArgumentList.Add(arg);
        Console.Error.WriteLine($"  publishing the local host ({(readyToRun ? "ReadyToRun" : "JIT")})...");
        using var process = Process.Start(psi)!;
        var log = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"dotnet publish failed:\n{log.Result}\n{errors}");
        return Path.Combine(folder, "Payments.LocalHost.dll");
    }

    private sealed class Samples
    {
        public LatencyRecorder Healthy { get; } = new();
        public LatencyRecorder FirstEcho { get; } = new();
        public LatencyRecorder FirstGenerate { get; } = new();
        public LatencyRecorder StartToAnswer { get; } = new();
        public LatencyRecorder WarmEcho { get; } = new();

        public IEnumerable<BenchmarkResult> Results(string prefix) =>
        [
            Healthy.ToResult(prefix + ".healthy", 0, null),
            FirstEcho.ToResult(prefix + ".first-echo", 0, null),
            FirstGenerate.ToResult(prefix + ".first-generate", 0, null),
            StartToAnswer.ToResult(prefix + ".start-to-answer", 0, null),
            WarmEcho.ToResult(prefix + ".warm-echo", 0, null),
        ];
    }
}
