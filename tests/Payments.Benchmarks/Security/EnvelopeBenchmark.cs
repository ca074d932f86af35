using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Payments.Core.Security;
using Payments.Core.Security.Jwe;
using Payments.Core.Security.Pgp;

namespace Payments.Benchmarks.Security;

/// <summary>
/// Envelope cost per request: Open of a ~1 KB signed+encrypted request plus Seal of a ~1 KB response,
/// RSA-3072 keys, one integrator key (one private-key operation each way). The baseline is the
/// plain-JSON envelope's p50 timed in the same run. Requests are made by a mirror envelope playing
/// Google (uncompressed); gpg-made requests (compressed) cost the same within noise.
/// </summary>
public static class EnvelopeBenchmark
{
    private const int Warmup = 30;

    public static Task<IReadOnlyList<BenchmarkResult>> RunAsync(int iterations, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        var json = SampleJson();

        var plain = new PlainJsonEnvelope();
        var baseline = Measure(plain, plain.Seal(json), json, iterations, ct);

        var ours = KeyTool.GeneratePgp("Integrator <bench@integrator.test>", null, DateTime.UtcNow, TimeSpan.FromDays(365));
        var google = KeyTool.GeneratePgp("Google <bench@google.test>", null, DateTime.UtcNow, TimeSpan.FromDays(365));
        var pgp = new PgpEnvelope(ours.Secret, null, google.Public);
        var pgpRequest = new PgpEnvelope(google.Secret, null, ours.Public).Seal(json);
        var pgpRecorder = Measure(pgp, pgpRequest, json, iterations, ct);

        using var ourRsa = RSA.Create(3072);
        using var googleRsa = RSA.Create(3072);
        var jwe = new JweEnvelope(ourRsa.ExportPkcs8PrivateKeyPem(), googleRsa.ExportSubjectPublicKeyInfoPem());
        var jweRequest = new JweEnvelope(googleRsa.ExportPkcs8PrivateKeyPem(), ourRsa.ExportSubjectPublicKeyInfoPem()).Seal(json);
        var jweRecorder = Measure(jwe, jweRequest, json, iterations, ct);

        var baselineP50 = baseline.Percentile(50);
        IReadOnlyList<BenchmarkResult> results =
        [
            pgpRecorder.ToResult("envelope.pgp", 0, baselineP50),
            jweRecorder.ToResult("envelope.jwe", 0, baselineP50),
        ];
        return Task.FromResult(results);
    }

    private static LatencyRecorder Measure(IMessageEnvelope envelope, byte[] request, byte[] response, int iterations, CancellationToken ct)
    {
        for (int i = 0; i < Warmup; i++) envelope.Seal(envelope.Open(request));
        var recorder = new LatencyRecorder();
        recorder.StartWall();
        for (int i = 0; i < iterations; i++)
        {
            ct.ThrowIfCancellationRequested();
            var start = Stopwatch.GetTimestamp();
            envelope.Open(request);
            envelope.Seal(response);
            recorder.Add(Stopwatch.GetElapsedTime(start));
        }
        recorder.StopWall();
        return recorder;
    }

    /// <summary>A ~1 KB protocol-like JSON body.</summary>
    private static byte[] SampleJson()
    {
        var sb = new StringBuilder("""{"requestHeader":{"protocolVersion":{"major":2,"minor":0,"revision":0},"requestId":"G1MQ0YERJ0Q7LPM","requestTimestamp":{"epochMillis":"1700000000000"},"paymentIntegratorAccountId":"InvisiCashUSA_USD"},"generateReferenceNumberRequestId":"HsKv5pvtQKTtz7rdcw1YqE","amount":{"amountMicros":"208000000","currencyCode":"USD"},"notes":[""");
        for (int i = 0; sb.Length < 1000; i++) sb.Append(i == 0 ? "" : ",").Append($"\"line {i} of filler text for a realistic size\"");
        sb.Append("]}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
