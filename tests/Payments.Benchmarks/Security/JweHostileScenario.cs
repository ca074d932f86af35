using System.Globalization;
using System.Runtime;
using System.Security.Cryptography;
using System.Text;
using Payments.Core.Security.Jwe;
using static Payments.Tests.Adversarial.JweBombs;

namespace Payments.Benchmarks.Security;

/// <summary>
/// What a hostile JWE request of at most 1 MiB costs before it is refused, per bomb / flood kind, alone
/// (<see cref="HostileCost.Alone"/>) and 16 at once (<see cref="HostileCost.Burst"/>); then the working set
/// a minute after the bursts, idle, against the one before them. Two RSA-3072 keys of ours (rotation), so
/// every body addressed to that key size costs two unwraps and two content passes. Budget: 50 MB and
/// 100 ms per request; the working set back within 100 MB of its start.
/// </summary>
public sealed class JweHostileScenario : IBenchmarkScenario
{
    private const int Concurrency = 16, MiB = 1 << 20;
    private const double IdleBudgetMb = 100;

    public string Name => "jwe-hostile";

    public async Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext ctx, CancellationToken ct)
    {
        int iterations = Math.Clamp(ctx.Iterations / 25, 4, 40);
        using RSA ours1 = RSA.Create(3072), ours2 = RSA.Create(3072), google = RSA.Create(3072);
        var envelope = new JweEnvelope(ours1.ExportPkcs8PrivateKeyPem() + "\n" + ours2.ExportPkcs8PrivateKeyPem(), google.ExportSubjectPublicKeyInfoPem());
        const string Oaep = "RSA-OAEP-256", Gcm = "A256GCM";
        byte[] Jws(byte[] json) => Encoding.ASCII.GetBytes(Sign(json, google));
        var json = Encoding.UTF8.GetBytes("""{"requestHeader":{"requestId":"hostile"}}""");
        var bigJson = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 70_000).Select(i => $"item {i % 997:d3} of {i % 13}, "))[..(MiB - 8)]);
        bigJson = [.. "{\"x\":\""u8, .. bigJson, .. "\"}"u8];
        string Def(byte[] inflated, string alg = Oaep, string enc = Gcm)
        {
            var cek = RandomNumberGenerator.GetBytes(32);
            return Compact(Header(alg, enc, deflate: true), ours1.Encrypt(cek, Padding(alg)), cek, enc, inflated);
        }
        var incompressible = RandomNumberGenerator.GetBytes(760_000);

        var kinds = new List<(string Name, Func<string> Make)>
        {
            ("valid OAEP + GCM (control)", () => Encrypt(Jws(json), ours1, Oaep, Gcm)),
            ("valid RSA1_5 + CBC-HS256 (control)", () => Encrypt(Jws(json), ours1, "RSA1_5", "A128CBC-HS256")),
            ("valid 1 MiB JSON, DEF (largest)", () => Encrypt(Jws(bigJson), ours1, Oaep, Gcm, deflate: true)),
            ("DEF bomb, 512 MiB of zeros", () => Def(Deflate(s => Repeat(s, [0], 512L * MiB)))),
            ("DEF bomb, 64 MiB of 'a.'", () => Def(Deflate(s => Repeat(s, "a."u8, 64L * MiB)))),
            ("DEF bomb, JWS of a 3 MiB payload", () => Def(Deflate(Encoding.ASCII.GetBytes(UnsignedJws(new string('a', 3 * MiB)))))),
            ("DEF 'a.' up to the inflate limit", () => Def(Deflate(Repeated("a.", JweEnvelope.MaxInflatedBytes)))),
            ("DEF bomb, RSA1_5 + CBC-HS256", () => Def(Deflate(s => Repeat(s, "a."u8, 64L * MiB)), "RSA1_5", "A128CBC-HS256")),
            ("760 KB ciphertext, bad tag", () => WithKey(KeyCase.BadTag, incompressible, ours1, Oaep, Gcm)),
            ("760 KB ciphertext, RSA1_5 bad padding", () => WithKey(KeyCase.BadPadding, incompressible, ours1, "RSA1_5", "A128CBC-HS256")),
            ("760 KB, valid tag, not a JWS", () => WithKey(KeyCase.Valid, incompressible, ours1, Oaep, Gcm)),
            ("dot flood, 1 MiB of 'a.'", () => Encoding.ASCII.GetString(Repeated("a.", MiB))),
            ("dot flood, 1 MiB of '.'", () => Encoding.ASCII.GetString(Repeated(".", MiB))),
            ("header flood, 1 MiB base64url", () => B64(Encoding.ASCII.GetBytes("{\"alg\":\"RSA1_5\",\"x\":\"" + new string('a', 760_000) + "\"}")) + ".a.a.a.a"),
            ("header flood, JSON names at 16 KiB", () => B64(Encoding.ASCII.GetBytes("{\"alg\":\"RSA1_5\",\"enc\":\"A256GCM\"" +
                string.Concat(Enumerable.Range(0, 1_700).Select(i => $",\"{i:x4}\":1")) + "}"))[..JweEnvelope.MaxHeaderChars] + ".a.a.a.a"),
            ("700 KB encrypted key", () => string.Join('.', B64(Encoding.ASCII.GetBytes(Header(Oaep, Gcm, false))), B64(incompressible[..700_000]), "AAAAAAAAAAAAAAAA", "AAAA", "AAAAAAAAAAAAAAAAAAAAAA")),
        };

        var results = new List<BenchmarkResult>();
        Console.WriteLine();
        Console.WriteLine($"jwe-hostile: {iterations} requests per kind alone, then {Concurrency} at once; {(GCSettings.IsServerGC ? "server" : "workstation")} GC; budget {HostileCost.BudgetMb} MB, {HostileCost.BudgetMs} ms per request");
        Console.WriteLine($"{"kind",-40} {"body KB",8} {"answer",7} {"cpu ms",8} {"peak MB",8} {"alloc MB",9} {"rsa",4} {"passes",6} {"inflated KB",11} {"16: cpu ms",11} {"16: peak MB",12} {"under",6}");
        var bodies = kinds.Select(k => (k.Name, Body: Encoding.ASCII.GetBytes(k.Make()))).ToList();
        long start = HostileCost.CollectAndResetPeak();
        foreach (var (name, body) in bodies)
        {
            ct.ThrowIfCancellationRequested();
            if (body.Length > HostileCost.MaxBody) throw new InvalidOperationException($"{name}: {body.Length} bytes, over 1 MiB");
            var work = new JweWork();
            var answer = Answer(envelope, body, work);
            var cost = HostileCost.Alone(() => Answer(envelope, body, new JweWork()), iterations);
            var burst = HostileCost.Burst(() => Answer(envelope, body, new JweWork()), Concurrency);
            bool under = cost.Under && burst.CpuMs <= HostileCost.BudgetMs && burst.PeakMb / Concurrency <= HostileCost.BudgetMb;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-40} {body.Length / 1024.0,8:0.0} {answer,7} {cost.CpuMs,8:0.00} {cost.PeakMb,8:0.0} {cost.AllocMb,9:0.00} {work.RsaOperations,4} {work.ContentPasses,6} {work.InflatedBytes / 1024.0,11:0.0} {burst.CpuMs,11:0.00} {burst.PeakMb,12:0.0} {(under ? "yes" : "NO"),6}"));
            results.Add(cost.Latency.ToResult("jwe-hostile." + HostileCost.Slug(name), 0, null));
        }

        // After the bursts, as a host after a spike: nothing forced, one minute idle.
        var startAll = HostileCost.WorkingSet();
        foreach (var (_, body) in bodies) HostileCost.Burst(() => Answer(envelope, body, new JweWork()), Concurrency);
        long afterBurst = HostileCost.WorkingSet();
        await Task.Delay(TimeSpan.FromMinutes(1), ct);
        long idle = HostileCost.WorkingSet();
        long collected = HostileCost.CollectAndResetPeak();
        Console.WriteLine($"working set: {HostileCost.Mb(start)} MB before the kinds, {HostileCost.Mb(startAll)} MB before a last burst of every kind, " +
            $"{HostileCost.Mb(afterBurst)} MB right after, {HostileCost.Mb(idle)} MB after 60 s idle ({(idle - start) / 1e6:+0.0;-0.0} MB on the first, " +
            $"{((idle - start) / 1e6 <= IdleBudgetMb ? "within" : "OVER")} {IdleBudgetMb} MB), {HostileCost.Mb(collected)} MB after a full collection");
        Console.WriteLine();
        return results;
    }

    private static string Answer(JweEnvelope envelope, byte[] body, JweWork work) => HostileCost.Answer(() => envelope.Open(body, work));
}
