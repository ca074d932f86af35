namespace Payments.Benchmarks.Security;

/// <summary>The envelope cost per request (decrypt+verify+sign+encrypt, RSA-3072) next to plain JSON.</summary>
public sealed class EnvelopeScenario : IBenchmarkScenario
{
    public string Name => "envelope";
    public Task<IReadOnlyList<BenchmarkResult>> RunAsync(BenchmarkContext ctx, CancellationToken ct) => EnvelopeBenchmark.RunAsync(ctx.Iterations, ct);
}
