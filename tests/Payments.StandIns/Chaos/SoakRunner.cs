using System.Diagnostics;
using System.Globalization;
using System.Text;
using Payments.StandIns.CrmCom;
using Payments.StandIns.Google;

namespace Payments.StandIns.Chaos;

public sealed record SoakOptions
{
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(1);
    /// <summary>Ramp-up before <see cref="Duration"/>, left out of the latency figures (see <see cref="LoadOptions.WarmUp"/>).</summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.Zero;
    public double Rate { get; init; } = 40;
    public bool Chaos { get; init; }
    /// <summary>How many times the host process is killed and restarted during the run (with chaos).</summary>
    public int Kills { get; init; } = 1;
    /// <summary>Azurite slowed through the proxy and briefly unreachable (with chaos).</summary>
    public bool StorageFaults { get; init; } = true;
    public double GoogleFailureShare { get; init; } = 0.1;
    public double CrmFailureShare { get; init; } = 0.1;
    /// <summary>Share of paid reference numbers whose bookings CRM.COM refuses (ACCOUNT_CLOSED).</summary>
    public double CrmRefusalShare { get; init; } = 0.05;
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>The host's Finishing__MaxBacklog: as in local.settings.sample.json, Azurite's queue service
    /// slows down with its depth (0: never shed load).</summary>
    public int MaxBacklog { get; init; } = 1000;
    public int Seed { get; init; } = 7;
    public string HostLogLevel { get; init; } = "Warning";
    /// <summary>Google's calls and the notifications PGP-sealed, as in production (plain JSON otherwise).</summary>
    public bool Pgp { get; init; }
    /// <summary>Where to write every line the host processes logged (diagnostics), or null.</summary>
    public string? HostLogFile { get; init; }
    public TextWriter? Log { get; init; }
    public bool EchoOnly { get; init; }
}

/// <param name="HostLatency">the host's own time per protocol call (from its Information log lines), when it logged them.</param>
/// <param name="Cpu">how busy each process of the rig was after the warm-up (see <see cref="CpuUse"/>).</param>
public sealed record SoakResult(AuditReport Audit, IReadOnlyList<RequestRecord> Records, string Latency, int Unfinished, IReadOnlyList<string> ChaosEvents, IReadOnlyList<string> SecretLines, TimeSpan Elapsed, string? HostLatency = null, string? Cpu = null)
{
    public bool Clean => Audit.Clean && Unfinished == 0 && SecretLines.Count == 0;
}

/// <summary>
/// One soak (or load) run end to end: the rig (Azurite, proxies, stand-ins), one host process, the load driver,
/// the chaos schedule, the drain and the ledger audit.
/// </summary>
public static partial class SoakRunner
{
    public static async Task<SoakResult> RunAsync(SoakOptions options, CancellationToken cancellationToken = default)
    {
        var log = options.Log ?? TextWriter.Null;
        var clock = Stopwatch.StartNew();
        await using var rig = await ChaosRig.StartAsync(new ChaosRigOptions { RetryBaseMilliseconds = 100, MaxAttempts = 10, RelayGraceSeconds = options.Chaos ? 3 : 60, LogLevel = options.HostLogLevel, ProxyStorage = options.Chaos && options.StorageFaults, Pgp = options.Pgp, MaxBacklog = options.MaxBacklog }, cancellationToken).ConfigureAwait(false);
        var host = await rig.StartHostAsync("soak", cancellationToken).ConfigureAwait(false);
        log.WriteLine($"[{clock.Elapsed:mm\\:ss}] rig up: Azurite tables {rig.Azurite.TablePort} queues {rig.Azurite.QueuePort}, proxies {rig.TableProxy.Port}/{rig.QueueProxy.Port}, host {host.BaseAddress}");

        var random = new Random(options.Seed);
        var refusals = new Random(options.Seed + 1);
        var driver = new LoadDriver(new LoadOptions
        {
            BaseAddress = host.BaseAddress,
            Rate = options.Rate,
            Duration = options.Duration,
            WarmUp = options.WarmUp,
            Envelope = rig.GoogleEnvelope,
            Seed = options.Seed,
            EchoOnly = options.EchoOnly,
            BeforePayment = (number, micros, currency) =>
            {
                if (rig.Crm.GetPayment(number) is null) rig.Crm.AddPostedPayment(number, micros / 1_000_000m, currency);
                if (options.Chaos && options.CrmRefusalShare > 0)
                    lock (refusals) if (refusals.NextDouble() < options.CrmRefusalShare) rig.Crm.Faults.RefuseReference(number, CrmComCodes.AccountClosed);
            },
        });

        var events = new List<string>();
        using var stopChaos = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task chaos = Task.CompletedTask;
        if (options.Chaos)
        {
            rig.Google.Policy = new GoogleFaultPolicy { RandomFailureShare = options.GoogleFailureShare, RandomSeed = options.Seed };
            rig.Crm.Faults.Latency = TimeSpan.FromMilliseconds(20);
            rig.Crm.Faults.FailRandomBookings(options.CrmFailureShare, options.Seed,
                CrmComFault.Http500BeforeBooking, CrmComFault.TechnicalErrorBeforeBooking, CrmComFault.Http500AfterBooking, CrmComFault.DropAfterBooking, CrmComFault.GarbageAfterBooking);
            chaos = ChaosAsync(rig, host, options, random, events, log, clock, stopChaos.Token);
        }

        var load = driver.RunAsync(cancellationToken);
        await Task.WhenAny(load, Task.Delay(options.WarmUp, cancellationToken)).ConfigureAwait(false);
        var cpuAfterWarmUp = CpuUse.Read(rig, host);
        var records = await load.ConfigureAwait(false);
        var cpu = cpuAfterWarmUp.Until(CpuUse.Read(rig, host));
        await stopChaos.CancelAsync().ConfigureAwait(false);
        try { await chaos.ConfigureAwait(false); } catch (OperationCanceledException) { }
        log.WriteLine($"[{clock.Elapsed:mm\\:ss}] load done: {records.Count} requests; draining");

        // Faults off (business refusals stay: they are outcomes, not faults); the host must be up to drain.
        rig.Google.Policy = GoogleFaultPolicy.None;
        rig.Crm.Faults.FailRandomBookings(0, options.Seed);
        rig.Crm.Faults.Latency = TimeSpan.Zero;
        rig.TableProxy.Latency = rig.QueueProxy.Latency = TimeSpan.Zero;
        rig.TableProxy.Down = rig.QueueProxy.Down = false;
        if (!host.IsRunning) await host.RestartAsync(cancellationToken).ConfigureAwait(false);

        var unfinished = await LedgerAudit.WaitForDrainAsync(rig.Tables, options.DrainTimeout, cancellationToken,
            left => log.WriteLine($"[{clock.Elapsed:mm\\:ss}] draining: {left} operations unfinished")).ConfigureAwait(false);
        // Let the last deliveries' Done merges land before reading everything.
        await Task.Delay(500, cancellationToken).ConfigureAwait(false);
        log.WriteLine($"[{clock.Elapsed:mm\\:ss}] drained ({unfinished} unfinished); auditing");
        var audit = await LedgerAudit.RunAsync(rig.Tables, records, rig.Google, rig.Crm, cancellationToken).ConfigureAwait(false);
        audit.Counts["host: restarts"] = host.Generation - 1;
        audit.Counts["proxy: resets"] = rig.TableProxy.Resets + rig.QueueProxy.Resets + rig.TableProxy.Refused + rig.QueueProxy.Refused;
        var secrets = rig.LinesWithSecrets();
        var hostLines = rig.HostLines();
        if (options.HostLogFile is { } file) await File.WriteAllLinesAsync(file, hostLines, cancellationToken).ConfigureAwait(false);
        var latency = LatencyReport.Format(records, options.Duration);
        return new SoakResult(audit, records, latency, unfinished, events, secrets, clock.Elapsed, HostLatency(hostLines), cpu);
    }

    /// <summary>Percentiles of the "… status=200 in 3.1 ms" lines: the time inside the host, without
    /// the client's and the sockets' share.</summary>
    private static string? HostLatency(IReadOnlyList<string> lines)
    {
        var calls = new List<(double Ms, string Line)>();
        foreach (var line in lines)
            if (HandledLine().Match(line) is { Success: true } m)
                calls.Add((double.Parse(m.Groups["ms"].Value, System.Globalization.CultureInfo.InvariantCulture), line));
        if (calls.Count == 0) return null;
        var (p50, p95, p99, max) = LatencyReport.Percentiles(calls.Select(c => c.Ms));
        var slowest = string.Join("\n", calls.OrderBy(c => c.Ms).TakeLast(5).Select(c => "  " + c.Line));
        return $"inside the host (ms, {calls.Count} calls): p50 {p50:0.0}  p95 {p95:0.0}  p99 {p99:0.0}  max {max:0.0}; slowest:\n{slowest}";
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"status=\d+ in (?<ms>[0-9.]+) ms")]
    private static partial System.Text.RegularExpressions.Regex HandledLine();

    /// <summary>The chaos schedule: kills spread over the run; storage slowed and briefly down between them.</summary>
    private static async Task ChaosAsync(ChaosRig rig, LocalHostProcess host, SoakOptions options, Random random, List<string> events, TextWriter log, Stopwatch clock, CancellationToken ct)
    {
        void Event(string what)
        {
            var line = $"[{clock.Elapsed:mm\\:ss}] chaos: {what}";
            lock (events) events.Add(line);
            log.WriteLine(line);
        }
        var start = clock.Elapsed;
        var killAt = Enumerable.Range(1, options.Kills).Select(i => start + options.Duration * i / (options.Kills + 1)).ToList();
        var nextStorage = start + TimeSpan.FromSeconds(8);
        var storageEvents = 0;
        while (!ct.IsCancellationRequested)
        {
            await Task.Delay(250, ct).ConfigureAwait(false);
            var now = clock.Elapsed;
            if (killAt.Count > 0 && now >= killAt[0])
            {
                killAt.RemoveAt(0);
                Event("kill -9 the host");
                await host.KillAsync().ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromMilliseconds(500 + random.Next(1500)), ct).ConfigureAwait(false);
                await host.RestartAsync(ct).ConfigureAwait(false);
                Event($"host restarted (generation {host.Generation})");
                continue;
            }
            if (options.StorageFaults && now >= nextStorage)
            {
                // Cycle: queues down, slowed, tables down, slowed, … (every run sees both kinds of outage).
                var step = storageEvents++ % 4;
                if (step is 0 or 2)
                {
                    var proxy = step == 2 ? rig.TableProxy : rig.QueueProxy;
                    var name = proxy == rig.TableProxy ? "tables" : "queues";
                    Event($"{name} unreachable for 1.5 s");
                    proxy.Down = true;
                    await Task.Delay(1500, ct).ConfigureAwait(false);
                    proxy.Down = false;
                }
                else
                {
                    var delay = TimeSpan.FromMilliseconds(5 + random.Next(20));
                    Event($"Azurite slowed by {delay.TotalMilliseconds:0} ms per chunk for 4 s");
                    rig.TableProxy.Latency = rig.QueueProxy.Latency = delay;
                    await Task.Delay(4000, ct).ConfigureAwait(false);
                    rig.TableProxy.Latency = rig.QueueProxy.Latency = TimeSpan.Zero;
                }
                nextStorage = clock.Elapsed + TimeSpan.FromSeconds(6 + random.Next(8));
            }
        }
    }
}

/// <summary>
/// CPU time of the rig's processes at one moment. Everything shares the machine's cores, and Azurite's table service
/// does its work on one JavaScript thread: a table process near 100% of a core is the queue every storage round
/// trip waits in, whatever the host does.
/// </summary>
public sealed record CpuUse(long Timestamp, TimeSpan Tables, TimeSpan Queues, int? HostPid, TimeSpan Host, TimeSpan Driver)
{
    public static CpuUse Read(ChaosRig rig, LocalHostProcess host)
    {
        var ids = rig.Azurite.ProcessIds;
        return new(Stopwatch.GetTimestamp(), Of(ids[0]), Of(ids[1]), host.ProcessId, host.ProcessId is { } pid ? OfTree(pid) : TimeSpan.Zero,
            Of(Environment.ProcessId));
    }

    private static TimeSpan Of(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.TotalProcessorTime;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return TimeSpan.Zero; // gone (a killed host)
        }
    }

    /// <summary>The host runs under a bash wrapper (<see cref="LocalHostProcess"/>): the process and its descendants.</summary>
    private static TimeSpan OfTree(int pid)
    {
        var total = Of(pid);
        try
        {
            foreach (var child in File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries))
                total += OfTree(int.Parse(child, CultureInfo.InvariantCulture));
        }
        catch (IOException) { }
        return total;
    }

    /// <summary>Each process's share of one core from this reading to <paramref name="end"/>.</summary>
    public string Until(CpuUse end)
    {
        var wall = Stopwatch.GetElapsedTime(Timestamp, end.Timestamp).TotalSeconds;
        string Share(TimeSpan from, TimeSpan to) => string.Create(CultureInfo.InvariantCulture, $"{(to - from).TotalSeconds / wall:P0}");
        var host = HostPid == end.HostPid ? Share(Host, end.Host) : "– (restarted)";
        return $"CPU after the warm-up, share of one core ({Environment.ProcessorCount} cores): Azurite tables {Share(Tables, end.Tables)}, " +
            $"queues {Share(Queues, end.Queues)}, host {host}, driver and stand-ins {Share(Driver, end.Driver)}";
    }
}

/// <summary>p50/p95/p99 overall and per request kind, over the answered requests.</summary>
public static class LatencyReport
{
    public static (double P50, double P95, double P99, double Max) Percentiles(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0) return (0, 0, 0, 0);
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return (At(0.50), At(0.95), At(0.99), sorted[^1]);
    }

    public static string Format(IReadOnlyList<RequestRecord> records, TimeSpan duration)
    {
        var warmUp = records.Count(r => r.WarmUp);
        records = [.. records.Where(r => !r.WarmUp)];
        var answered = records.Where(r => r.Status > 0).ToList();
        var sb = new StringBuilder();
        if (warmUp > 0) sb.AppendLine(CultureInfo.InvariantCulture, $"warm-up: {warmUp} requests while the rate ramped up (audited, not counted below)");
        sb.AppendLine(CultureInfo.InvariantCulture, $"requests: {records.Count} sent over {duration.TotalSeconds:0} s ({records.Count / duration.TotalSeconds:0.0}/s), answered {answered.Count}, transport errors {records.Count(r => r.Status == 0)}, not sent {records.Count(r => r.Status < 0)}");
        sb.AppendLine("latency ms (open loop, from the scheduled send time)   count     p50     p95     p99     max");
        void Row(string name, IEnumerable<RequestRecord> rows)
        {
            var list = rows.ToList();
            var (p50, p95, p99, max) = Percentiles(list.Select(r => r.LatencyMs));
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {name,-52} {list.Count,6} {p50,7:0.0} {p95,7:0.0} {p99,7:0.0} {max,7:0.0}");
        }
        Row("all", answered);
        foreach (var group in answered.GroupBy(r => r.Kind).OrderBy(g => g.Key, StringComparer.Ordinal)) Row(group.Key, group);
        sb.AppendLine().Append("statuses: ").AppendJoin(", ", records.GroupBy(r => r.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}"));
        if (answered.Count > 0)
        {
            // When the tail happened: a stall shows as one bad window, a backlog as a run of them.
            var start = answered.Min(r => r.ScheduledAt);
            sb.AppendLine().Append("p99 per 5 s window: ").AppendJoin(" ", answered
                .GroupBy(r => (int)((r.ScheduledAt - start).TotalSeconds / 5))
                .OrderBy(g => g.Key)
                .Select(g => Percentiles(g.Select(r => r.LatencyMs)).P99.ToString("0", CultureInfo.InvariantCulture)));
        }
        return sb.ToString();
    }

    /// <summary>p99 of the answered requests sent after the warm-up.</summary>
    public static double P99(IReadOnlyList<RequestRecord> records) => Percentiles(records.Where(r => r.Status > 0 && !r.WarmUp).Select(r => r.LatencyMs)).P99;
}
