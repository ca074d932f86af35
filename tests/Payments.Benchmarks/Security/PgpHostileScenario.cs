using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Payments.Core.Security;
using Payments.Core.Security.Pgp;
using Payments.Tests.Adversarial;

namespace Payments.Benchmarks.Security;

/// <summary>
/// What a hostile PGP request of at most 1 MiB costs before it is refused, per bomb / flood kind
/// (<see cref="HostileCost"/>). The budget is 50 MB and 100 ms; the table says whether each kind stays
/// under it. A valid request is the control.
/// </summary>
public sealed class PgpHostileScenario : IBenchmarkScenario
{
    private const double BudgetMb = HostileCost.BudgetMb, BudgetMs = HostileCost.BudgetMs;
    private const int MaxBody = HostileCost.MaxBody;

    public string Name => "pgp-hostile";

    public Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext ctx, CancellationToken ct)
    {
        int iterations = Math.Clamp(ctx.Iterations / 25, 4, 40);
        var now = DateTime.UtcNow;
        var ours1 = KeyTool.GeneratePgp("Integrator One <one@integrator.test>", null, now, TimeSpan.FromDays(30));
        var ours2 = KeyTool.GeneratePgp("Integrator Two <two@integrator.test>", null, now, TimeSpan.FromDays(30));
        var google = KeyTool.GeneratePgp("Google <payments@google.test>", null, now, TimeSpan.FromDays(30));
        // Rotation: two keys of ours, so a hidden-recipient flood may cost two private-key operations.
        var envelope = new PgpEnvelope(ours1.Secret + "\n" + ours2.Secret, null, google.Public);
        var json = Encoding.UTF8.GetBytes("""{"requestHeader":{"requestId":"hostile"}}""");
        var valid = PgpBombs.FromBody(new PgpEnvelope(google.Secret, null, ours1.Public).Seal(json));
        var signedInner = PgpBombs.Decrypt(valid, ours1.Secret);
        byte[] Encrypt(byte[] inner) => PgpBombs.Encrypt(inner, ours1.Public);
        var outer = PgpBombs.OuterPackets(valid);
        byte[] marker = [0xCA, 3, (byte)'P', (byte)'G', (byte)'P'];
        var incompressible = RandomNumberGenerator.GetBytes(700_000);

        var kinds = new List<(string Name, Func<byte[]> Raw)>
        {
            ("valid request (control)", () => valid),
        };
        foreach (var algorithm in PgpBombs.Algorithms)
        {
            var name = PgpBombs.AlgorithmName(algorithm);
            long bomb = algorithm == PgpBombs.BZip2 ? 1L << 30 : 512L << 20;
            kinds.Add(($"{name} bomb, experimental tag 60, partial", () => Encrypt(PgpBombs.Compressed(algorithm, s => PgpBombs.ZeroPacket(s, 60, bomb, partial: true), partial: true))));
            kinds.Add(($"{name} bomb, literal data", () => Encrypt(PgpBombs.Compressed(algorithm, s => PgpBombs.ZeroPacket(s, 11, bomb, partial: false)))));
            kinds.Add(($"{name} bomb, signature packet", () => Encrypt(PgpBombs.Compressed(algorithm, s => PgpBombs.ZeroPacket(s, 2, bomb, partial: true)))));
            kinds.Add(($"{name} nested in {name}", () => Encrypt(PgpBombs.Compressed(algorithm, s => s.Write(PgpBombs.Compressed(algorithm, t => PgpBombs.ZeroPacket(t, 11, bomb, partial: true), partial: true))))));
            kinds.Add(($"{name} marker packet flood", () => Encrypt(PgpBombs.Compressed(algorithm, s => PgpBombs.Repeat(s, marker, algorithm == PgpBombs.BZip2 ? 4L << 20 : 64L << 20)))));
            kinds.Add(($"{name} signature flood", () => Encrypt(PgpBombs.Compressed(algorithm, s => PgpBombs.Repeat(s, PgpBombs.TinySignature, algorithm == PgpBombs.BZip2 ? 4L << 20 : 30L << 20)))));
            kinds.Add(($"{name} incompressible 700 KB literal", () =>
            {
                var literal = new MemoryStream();
                PgpBombs.Packet(literal, 11, [(byte)'b', 0, 0, 0, 0, 0, .. incompressible]);
                return Encrypt(PgpBombs.Compressed(algorithm, s => s.Write(literal.ToArray())));
            }));
        }
        kinds.Add(("uncompressed signature flood", () => Encrypt(PgpBombs.Flood(PgpBombs.TinySignature, 700_000, signedInner))));
        kinds.Add(("session-key flood naming our key", () => PgpBombs.Flood(outer[0], 760_000, outer[1])));
        kinds.Add(("session-key flood, hidden recipient", () => PgpBombs.Flood(PgpBombs.Pkesk(0, 384), 760_000, outer[1])));
        kinds.Add(("31 session keys under the packet limit", () =>
            [.. Enumerable.Range(0, 30).SelectMany(_ => PgpBombs.Pkesk(0, 384)), .. outer[0], .. outer[1]]));
        kinds.Add(("outer marker packet flood", () => PgpBombs.Flood(marker, 760_000, outer[0], outer[1])));

        var results = new List<BenchmarkResult>();
        Console.WriteLine();
        Console.WriteLine($"pgp-hostile: {iterations} requests per kind; budget {BudgetMb} MB, {BudgetMs} ms per request");
        Console.WriteLine($"{"kind",-42} {"body KB",8} {"answer",7} {"cpu ms",8} {"peak MB",8} {"alloc MB",9} {"rsa ops",8} {"inflated KB",12} {"under",6}");
        foreach (var (name, make) in kinds)
        {
            ct.ThrowIfCancellationRequested();
            var body = PgpBombs.ToBody(make());
            if (body.Length > MaxBody) throw new InvalidOperationException($"{name}: {body.Length} bytes, over 1 MiB");
            var answer = Answer(envelope, body, out var work);
            var cost = HostileCost.Alone(() => Answer(envelope, body, out _), iterations);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-42} {body.Length / 1024.0,8:0.0} {answer,7} {cost.CpuMs,8:0.00} {cost.PeakMb,8:0.0} {cost.AllocMb,9:0.00} {work.PrivateKeyOperations,8} {work.DecompressedBytes / 1024.0,12:0.0} {(cost.Under ? "yes" : "NO"),6}"));
            results.Add(cost.Latency.ToResult("pgp-hostile." + HostileCost.Slug(name), 0, null));
        }
        Console.WriteLine();
        return Task.FromResult<IReadOnlyList<BenchmarkResult>>(results);
    }

    private static string Answer(PgpEnvelope envelope, byte[] body, out PgpWork work)
    {
        var w = work = new PgpWork();
        return HostileCost.Answer(() => envelope.Open(body, w));
    }
}
