using System.Security.Cryptography;
using System.Text;
using Payments.Core.Security;
using Payments.Core.Security.Jwe;
using Payments.Tests.Security;
using static Payments.Tests.Adversarial.JweBombs;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Adversarial;

/// <summary>
/// Hostile JWE bodies of at most 1 MiB: refused with bounded allocation (measured, never timed), and
/// every failure of the content-key unwrap taking the same path as a bad tag.
/// </summary>
[Trait("Category", Category.Unit)]
public sealed class JweHostileMessageTests(JweKeysFixture keys) : IClassFixture<JweKeysFixture>
{
    private const int MiB = 1 << 20;
    private static readonly byte[] Json = Encoding.UTF8.GetBytes("""{"requestHeader":{"requestId":"hostile"}}""");

    private static (EnvelopeFailure? Failure, long Allocated, JweWork Work) Measure(JweEnvelope envelope, byte[] body)
    {
        Open(envelope, body, new JweWork()); // JIT and first-use allocations out of the count
        var work = new JweWork();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var failure = Open(envelope, body, work);
        return (failure, GC.GetAllocatedBytesForCurrentThread() - before, work);
    }

    private static EnvelopeFailure? Open(JweEnvelope envelope, byte[] body, JweWork work)
    {
        try { envelope.Open(body, work); return null; }
        catch (EnvelopeException e) { return e.Failure; }
    }

    private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

    public static TheoryData<string> Floods => ["a.", ".", "ab.cd."];

    [Theory]
    [MemberData(nameof(Floods))]
    public void Dot_flood_is_refused_without_per_part_strings(string unit)
    {
        var body = Repeated(unit, MiB);
        var (failure, allocated, _) = Measure(keys.Envelope(), body);
        Assert.Equal(EnvelopeFailure.InvalidEncryption, failure);
        Assert.True(allocated < 1 * MiB, $"a 1 MiB flood of '{unit}' allocated {allocated:N0} bytes");
    }

    [Fact]
    public void Header_flood_is_refused_before_it_is_decoded()
    {
        var envelope = keys.Envelope();
        var bigValue = B64(Encoding.ASCII.GetBytes("{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\",\"x\":\"" + new string('a', 700_000) + "\"}"));
        var manyNames = B64(Encoding.ASCII.GetBytes("{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\"" +
            string.Concat(Enumerable.Range(0, 70_000).Select(i => $",\"{i}\":1")) + "}"));
        foreach (var header in new[] { bigValue, manyNames })
        {
            var body = Ascii(header + ".AAAA.AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA");
            Assert.True(body.Length <= MiB);
            var (failure, allocated, _) = Measure(envelope, body);
            Assert.Equal(EnvelopeFailure.InvalidEncryption, failure);
            Assert.True(allocated < 1 * MiB, $"a {body.Length:N0}-byte header allocated {allocated:N0} bytes");
        }
    }

    public static TheoryData<string> Bombs => ["zeros", "dots", "jws"];

    [Theory]
    [MemberData(nameof(Bombs))]
    public void Deflate_bomb_is_refused_with_bounded_allocation(string kind)
    {
        var payload = kind switch
        {
            "zeros" => Deflate(s => Repeat(s, [0], 256L * MiB)),
            "dots" => Deflate(s => Repeat(s, "a."u8, 4L * MiB - 2)),
            _ => Deflate(Ascii(UnsignedJws(Encoding.ASCII.GetString(Repeated("a", 3L * MiB))))),
        };
        var cek = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var body = Ascii(Compact(Header("RSA-OAEP-256", "A256GCM", deflate: true),
            keys.Ours1.Encrypt(cek, Padding("RSA-OAEP-256")), cek, "A256GCM", payload));
        Assert.True(body.Length <= MiB);
        var (failure, allocated, work) = Measure(keys.Envelope(), body);
        Assert.Equal(EnvelopeFailure.InvalidEncryption, failure);
        Assert.True(work.InflatedBytes <= JweEnvelope.MaxInflatedBytes + 1, $"inflated {work.InflatedBytes:N0} bytes");
        Assert.True(allocated < 8 * MiB, $"a {kind} bomb allocated {allocated:N0} bytes");
    }

    [Theory]
    [InlineData("RSA-OAEP-256", "A256GCM")]
    [InlineData("RSA1_5", "A128CBC-HS256")]
    public void Largest_legitimate_deflated_request_opens(string alg, string enc)
    {
        // 1 MiB of JSON (the body limit of every mode), varied enough to be more than a run of one byte.
        var filler = string.Concat(Enumerable.Range(0, 70_000).Select(i => $"item {i % 997:d3} of {i % 13}, "));
        var json = Encoding.UTF8.GetBytes($"{{\"requestHeader\":{{\"requestId\":\"big\"}},\"x\":\"{filler}\"}}");
        json = [.. json.AsSpan(0, MiB - 2), .. "\"}"u8];
        Assert.Equal(MiB, json.Length);
        var body = Ascii(Encrypt(Ascii(TestJose.Sign(json, keys.Google1)), keys.Ours1, alg, enc, deflate: true));
        Assert.True(body.Length <= MiB);
        Assert.Equal(json, keys.Envelope().Open(body));
    }

    [Fact]
    public void Signed_json_over_the_body_limit_is_refused_even_deflated()
    {
        var json = Encoding.UTF8.GetBytes($"{{\"x\":\"{new string('a', MiB)}\"}}");
        var body = Ascii(Encrypt(Ascii(TestJose.Sign(json, keys.Google1)), keys.Ours1, "RSA-OAEP-256", "A256GCM", deflate: true));
        Assert.Equal(EnvelopeFailure.InvalidEncryption, PgpEnvelopeInteropTests.Failure(() => keys.Envelope().Open(body)));
    }

    [Theory]
    [InlineData("RSA1_5", "A256GCM")]
    [InlineData("RSA1_5", "A128CBC-HS256")]
    [InlineData("RSA-OAEP-256", "A256GCM")]
    [InlineData("RSA-OAEP-256", "A128CBC-HS256")]
    public void Every_unwrap_failure_takes_the_bad_tag_path(string alg, string enc)
    {
        var envelope = keys.Envelope();
        var jws = Ascii(TestJose.Sign(Json, keys.Google1));
        var valid = Measure(envelope, Ascii(WithKey(KeyCase.Valid, jws, keys.Ours1, alg, enc)));
        Assert.Null(valid.Failure);
        foreach (var kind in new[] { KeyCase.WrongLengthKey, KeyCase.BadPadding, KeyCase.BadTag })
        {
            var body = Ascii(WithKey(kind, jws, keys.Ours1, alg, enc));
            var (failure, _, work) = Measure(envelope, body);
            Assert.Equal(EnvelopeFailure.InvalidEncryption, failure);
            // One RSA operation and one pass over the whole ciphertext for the one key of ours of that
            // size (the other is 2048 bits), as for the valid message: nothing depends on what the unwrap gave.
            Assert.Equal((kind, 1, 1), (kind, work.RsaOperations, work.ContentPasses));
        }
        Assert.Equal((1, 1), (valid.Work.RsaOperations, valid.Work.ContentPasses));
    }

    /// <summary>A CryptographicException is itself measurable work (both RSA paddings threw on a bad
    /// encoding before): no unwrap failure may raise one on the way to the bad-tag answer. (AES-GCM's tag
    /// mismatch is one, raised alike for every failure, a good unwrap with a bad tag included.)</summary>
    [Theory]
    [InlineData("RSA1_5", "A256GCM")]
    [InlineData("RSA1_5", "A128CBC-HS256")]
    [InlineData("RSA-OAEP-256", "A256GCM")]
    [InlineData("RSA-OAEP-256", "A128CBC-HS256")]
    public void No_unwrap_failure_raises_a_cryptographic_exception(string alg, string enc)
    {
        var envelope = keys.Envelope();
        var jws = Ascii(TestJose.Sign(Json, keys.Google1));
        var bodies = new[] { KeyCase.WrongLengthKey, KeyCase.BadPadding, KeyCase.BadTag }.Select(k => Ascii(WithKey(k, jws, keys.Ours1, alg, enc))).ToList();
        var thrown = CryptographicExceptions.CountOnThisThread(
            () =>
            {
                foreach (var body in bodies) Assert.Equal(EnvelopeFailure.InvalidEncryption, PgpEnvelopeInteropTests.Failure(() => envelope.Open(body)));
            },
            ignore: e => e is AuthenticationTagMismatchException);
        Assert.Equal(0, thrown);
    }
}
