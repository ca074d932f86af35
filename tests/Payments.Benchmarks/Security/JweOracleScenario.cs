using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Payments.Core.Security;
using Payments.Tests.Adversarial;
using Payments.Core.Security.Jwe;
using Payments.Core.Security.Pgp;
using static Payments.Tests.Adversarial.JweBombs;

namespace Payments.Benchmarks.Security;

/// <summary>
/// A timing harness for padding oracles (RFC 7516 §11.5), not a pass/fail test: per key-management and
/// content algorithm, JWE bodies to our own RSA-3072 key of four classes (valid; content key of valid
/// padding but the wrong length; bad padding; good key, bad tag) are opened through the envelope in a
/// shuffled interleaving, at least 1,500 of each. Prints each class's median and, per pair, the median
/// difference and a two-sided Mann–Whitney U test. The same for PGP (valid, session key of bad padding,
/// bad MDC). A padding oracle shows as a failure class apart from the others (tiny p and a stable
/// difference); the valid class does more work (the JWS check) by design.
/// </summary>
public sealed class JweOracleScenario : IBenchmarkScenario
{
    private const int BodiesPerClass = 8;

    public string Name => "jwe-oracle";

    public Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext ctx, CancellationToken ct)
    {
        int samples = Math.Max(1500, ctx.Iterations);
        using RSA ours = RSA.Create(3072), google = RSA.Create(3072);
        var envelope = new JweEnvelope(ours.ExportPkcs8PrivateKeyPem(), google.ExportSubjectPublicKeyInfoPem());
        var jws = Encoding.ASCII.GetBytes(Sign(Encoding.UTF8.GetBytes("""{"requestHeader":{"requestId":"oracle"},"paymentIntegratorAccountId":"acct"}"""), google));
        var results = new List<BenchmarkResult>();
        Console.WriteLine();
        Console.WriteLine($"jwe-oracle: {samples} samples per class, interleaved; one RSA-3072 key of ours; medians in µs; Mann–Whitney U, two-sided");
        foreach (var alg in Algorithms)
            foreach (var enc in Encodings)
            {
                var classes = Enum.GetValues<KeyCase>().Select(kind => (kind.ToString(), Enumerable.Range(0, BodiesPerClass)
                    .Select(_ => Encoding.ASCII.GetBytes(WithKey(kind, jws, ours, alg, enc))).ToArray())).ToList();
                results.AddRange(Compare($"jwe {alg} {enc}", classes, body => envelope.Open(body), samples, ct));
            }

        var now = DateTime.UtcNow;
        var ourPgp = KeyTool.GeneratePgp("Integrator <one@integrator.test>", null, now, TimeSpan.FromDays(30));
        var googlePgp = KeyTool.GeneratePgp("Google <payments@google.test>", null, now, TimeSpan.FromDays(30));
        var pgp = new PgpEnvelope(ourPgp.Secret, null, googlePgp.Public);
        var mirror = new PgpEnvelope(googlePgp.Secret, null, ourPgp.Public);
        byte[] Pgp(int flipPacket) =>
            PgpBombs.WithOuterPacketFlipped(mirror.Seal(Encoding.UTF8.GetBytes("""{"requestHeader":{"requestId":"oracle"}}""")), flipPacket);
        var pgpClasses = new[] { ("Valid", -1), ("BadPadding", 0), ("BadMdc", 1) }
            .Select(c => (c.Item1, Enumerable.Range(0, BodiesPerClass).Select(_ => Pgp(c.Item2)).ToArray())).ToList();
        results.AddRange(Compare("pgp", pgpClasses, body => pgp.Open(body), samples, ct));
        Console.WriteLine();
        return Task.FromResult<IReadOnlyList<BenchmarkResult>>(results);
    }

    private static List<BenchmarkResult> Compare(string label, List<(string Name, byte[][] Bodies)> classes, Action<byte[]> open, int samples, CancellationToken ct)
    {
        var answers = classes.Select(c => HostileCost.Answer(() => open(c.Bodies[0]))).ToList();
        for (int i = 0; i < 20; i++) foreach (var c in classes) HostileCost.Answer(() => open(c.Bodies[i % BodiesPerClass]));
        var times = classes.Select(_ => new List<double>(samples)).ToList();
        var recorders = classes.Select(_ => new LatencyRecorder()).ToList();
        var order = Enumerable.Range(0, classes.Count).ToArray();
        for (int round = 0; round < samples; round++)
        {
            if (round % 100 == 0) ct.ThrowIfCancellationRequested();
            Random.Shared.Shuffle(order);
            foreach (var k in order)
            {
                var body = classes[k].Bodies[round % BodiesPerClass];
                var start = Stopwatch.GetTimestamp();
                HostileCost.Answer(() => open(body));
                var elapsed = Stopwatch.GetElapsedTime(start);
                times[k].Add(elapsed.TotalMicroseconds);
                recorders[k].Add(elapsed);
            }
        }
        Console.WriteLine(string.Join("  ", classes.Select((c, k) => string.Create(CultureInfo.InvariantCulture,
            $"{c.Name} ({answers[k]}) {Median(times[k]):0}")).Prepend($"{label,-30}")));
        for (int a = 0; a < classes.Count; a++)
            for (int b = a + 1; b < classes.Count; b++)
            {
                var (z, p) = MannWhitney(times[a], times[b]);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"    {classes[a].Name + " vs " + classes[b].Name,-30} n={times[a].Count}/{times[b].Count}  Δmedian {Median(times[a]) - Median(times[b]),8:+0;-0} µs  z {z,6:0.00}  p {p:0.0000}"));
            }
        return classes.Select((c, k) => recorders[k].ToResult($"jwe-oracle.{HostileCost.Slug(label)}.{c.Name.ToLowerInvariant()}", 0, null)).ToList();
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        int n = sorted.Count;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /// <summary>Mann–Whitney U by the normal approximation (average ranks for ties): z and the two-sided p.</summary>
    private static (double Z, double P) MannWhitney(List<double> x, List<double> y)
    {
        var all = x.Select(v => (v, first: true)).Concat(y.Select(v => (v, first: false))).OrderBy(t => t.v).ToList();
        double rankSum = 0;
        for (int i = 0; i < all.Count;)
        {
            int j = i;
            while (j + 1 < all.Count && all[j + 1].v == all[i].v) j++;
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) if (all[k].first) rankSum += rank;
            i = j + 1;
        }
        double n1 = x.Count, n2 = y.Count;
        double u = rankSum - n1 * (n1 + 1) / 2;
        double z = (u - n1 * n2 / 2) / Math.Sqrt(n1 * n2 * (n1 + n2 + 1) / 12);
        return (z, Erfc(Math.Abs(z) / Math.Sqrt(2)));
    }

    /// <summary>Complementary error function (Numerical Recipes' erfcc, relative error &lt; 1.2e-7).</summary>
    private static double Erfc(double x)
    {
        double t = 1 / (1 + 0.5 * x);
        return t * Math.Exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
            t * (0.27886807 + t * (-1.13520398 + t * (1.48851526 + t * (-0.82215223 + t * 0.17087277)))))))));
    }
}
