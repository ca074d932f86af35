using System.Globalization;
using Payments.StandIns.Chaos;

// dotnet run -c Release --project tests/Payments.LoadDriver -- soak --minutes 10 --rate 200 --chaos [--kills 5] [--seed 7]
// dotnet run -c Release --project tests/Payments.LoadDriver -- load --minutes 1 --rate 200
// Starts its own Azurite, TCP proxies, Google and CRM.COM stand-ins and a Payments.LocalHost process (all on 127.0.0.1),
// drives the traffic, drains, audits the tables against every answer, prints the audit and the latency figures.
// Exit code: 0 clean, 1 audit violations / unfinished operations / secrets in logs, 2 usage.

if (args.Length == 0 || args[0] is not ("soak" or "load"))
{
    Console.Error.WriteLine("usage: soak|load [--minutes N] [--seconds N] [--rate R] [--chaos] [--kills K] [--seed S] [--no-storage-faults] [--echo-only] [--pgp] [--warmup-seconds N] [--host-log Information] [--host-log-file PATH] [--records-file PATH] [--max-backlog N]");
    return 2;
}
var mode = args[0];
double minutes = mode == "soak" ? 10 : 1, rate = 200;
var chaos = false;
var storageFaults = true;
var echoOnly = false;
var pgp = false;
var hostLog = "Warning";
// The load figures are for a warm host: its first seconds (code compiled, connections opened) ramp up unmeasured.
double warmUpSeconds = mode == "load" ? 10 : 0;
string? hostLogFile = null;
string? recordsFile = null;
int? kills = null;
var maxBacklog = new SoakOptions().MaxBacklog;
var seed = 7;
for (var i = 1; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--minutes": minutes = double.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--seconds": minutes = double.Parse(Next(), CultureInfo.InvariantCulture) / 60; break;
        case "--rate": rate = double.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--chaos": chaos = true; break;
        case "--no-storage-faults": storageFaults = false; break;
        case "--echo-only": echoOnly = true; break;
        case "--pgp": pgp = true; break;
        case "--host-log": hostLog = Next(); break;
        case "--warmup-seconds": warmUpSeconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--host-log-file": hostLogFile = Next(); break;
        case "--records-file": recordsFile = Next(); break;
        case "--max-backlog": maxBacklog = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--kills": kills = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}
if (minutes <= 0 || minutes > 120 || rate <= 0 || rate > 5000) { Console.Error.WriteLine("minutes must be in (0, 120], rate in (0, 5000]"); return 2; }

var duration = TimeSpan.FromMinutes(minutes);
Console.WriteLine($"{mode}: {duration.TotalSeconds:0} s at {rate} req/s after a {warmUpSeconds:0} s ramp-up, {(pgp ? "PGP" : "plain JSON")}, chaos {(chaos ? "on" : "off")}, Finishing__MaxBacklog {maxBacklog}, {Environment.ProcessorCount} cores, {DateTimeOffset.UtcNow:u}");
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
var result = await SoakRunner.RunAsync(new SoakOptions
{
    Duration = duration,
    Rate = rate,
    Chaos = chaos,
    Kills = kills ?? Math.Max(1, (int)Math.Round(minutes / 2)),
    StorageFaults = storageFaults,
    EchoOnly = echoOnly,
    Pgp = pgp,
    HostLogLevel = hostLog,
    WarmUp = TimeSpan.FromSeconds(warmUpSeconds),
    HostLogFile = hostLogFile,
    Seed = seed,
    MaxBacklog = maxBacklog,
    // An overloaded run leaves a backlog of finishing work; the drain is bounded but not short.
    DrainTimeout = TimeSpan.FromMinutes(Math.Clamp(minutes, 3, 15)),
    Log = Console.Out,
}, cancel.Token);

if (recordsFile is not null)
{
    // One line per request (CSV) for looking at a run afterwards: when it was due, what, how long, status.
    var start = result.Records.Count > 0 ? result.Records.Min(r => r.ScheduledAt) : default;
    await File.WriteAllLinesAsync(recordsFile, result.Records.Select(r => string.Create(CultureInfo.InvariantCulture,
        $"{(r.ScheduledAt - start).TotalMilliseconds:0},{r.Kind},{r.Status},{r.LatencyMs:0.0},{(r.Replay ? "replay" : r.Duplicate ? "duplicate" : "")},{(r.WarmUp ? "warmup" : "")}")));
}
Console.WriteLine();
Console.WriteLine(result.Latency);
if (result.HostLatency is not null) Console.WriteLine(result.HostLatency);
if (result.Cpu is not null) Console.WriteLine(result.Cpu);
Console.WriteLine();
Console.WriteLine(result.Audit);
Console.WriteLine($"unfinished operations after the drain: {result.Unfinished}");
Console.WriteLine($"log lines with back-office secrets: {result.SecretLines.Count}");
if (mode == "load")
{
    var p99 = LatencyReport.P99(result.Records);
    var target = pgp ? 80 : 50;
    Console.WriteLine($"target p99 <= {target} ms ({(pgp ? "PGP" : "plain JSON")}, 200 req/s): {(p99 <= target ? "MET" : "MISSED")} (p99 {p99:0.0} ms at {rate} req/s)");
}
Console.WriteLine($"{(result.Clean ? "CLEAN" : "VIOLATIONS")} in {result.Elapsed.TotalSeconds:0} s");
return result.Clean ? 0 : 1;
