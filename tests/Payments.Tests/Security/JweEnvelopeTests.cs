using System.Security.Cryptography;
using System.Text;
using Payments.Core.Security;
using Payments.Tests.TestSupport;
using Payments.Core.Security.Jwe;

namespace Payments.Tests.Security;

public sealed class JweKeysFixture : IDisposable
{
    // Our two keys differ in size on purpose (a key of each size, JweHostileMessageTests counts RSA
    // operations per size); the others only need to be valid and distinct: shared 2048-bit keys.
    public RSA Ours1 { get; } = TestKeys.NewRsa(3072);
    public RSA Google1 { get; } = TestKeys.NewRsa(2048, 1);
    public RSA Ours2 { get; } = TestKeys.NewRsa(2048, 2);
    public RSA Google2 { get; } = TestKeys.NewRsa(2048, 3);
    public RSA Stranger { get; } = TestKeys.NewRsa(2048, 4);

    /// <summary>Our side: two decryption keys (PKCS#8 and PKCS#1 PEM), two Google keys (SPKI and PKCS#1).</summary>
    public JweEnvelope Envelope() => new(
        Ours1.ExportPkcs8PrivateKeyPem() + "\n" + Ours2.ExportRSAPrivateKeyPem(),
        Google1.ExportSubjectPublicKeyInfoPem() + "\n" + Google2.ExportRSAPublicKeyPem());

    public void Dispose()
    {
        foreach (var k in new[] { Ours1, Ours2, Google1, Google2, Stranger }) k.Dispose();
    }
}

[Trait("Category", Category.Unit)]
public sealed class JweEnvelopeTests(JweKeysFixture keys) : IClassFixture<JweKeysFixture>
{
    private const string Json = """{"requestHeader":{"protocolVersion":{"major":1},"requestId":"req-1"},"paymentIntegratorAccountId":"InvisiCashUSA_USD","text":"héllo"}""";
    private static readonly byte[] JsonBytes = Encoding.UTF8.GetBytes(Json);

    private static byte[] Body(string compact) => Encoding.ASCII.GetBytes(compact);

    [Theory]
    [InlineData("RSA-OAEP-256", "A256GCM", false)]
    [InlineData("RSA-OAEP-256", "A256GCM", true)]
    [InlineData("RSA-OAEP-256", "A128CBC-HS256", false)]
    [InlineData("RSA-OAEP-256", "A128CBC-HS256", true)]
    [InlineData("RSA1_5", "A256GCM", false)]
    [InlineData("RSA1_5", "A256GCM", true)]
    [InlineData("RSA1_5", "A128CBC-HS256", false)]
    [InlineData("RSA1_5", "A128CBC-HS256", true)]
    public void Independent_encoder_to_our_envelope(string alg, string enc, bool deflate)
    {
        var envelope = keys.Envelope();
        foreach (var (ours, google) in new[] { (keys.Ours1, keys.Google1), (keys.Ours2, keys.Google2) })
        {
            var body = TestJose.Encrypt(Encoding.ASCII.GetBytes(TestJose.Sign(JsonBytes, google)), ours, alg, enc, deflate);
            Assert.Equal(Json, Encoding.UTF8.GetString(envelope.Open(Body(body))));
        }
    }

    [Fact]
    public void Our_sealed_body_decrypts_and_verifies_independently()
    {
        var envelope = keys.Envelope();
        Assert.Equal("application/jose; charset=utf-8", envelope.ContentType);
        var compact = Encoding.ASCII.GetString(envelope.Seal(JsonBytes));
        var (header, jws) = TestJose.Decrypt(compact, keys.Google1);
        Assert.Equal("RSA-OAEP-256", header.GetProperty("alg").GetString());
        Assert.Equal("A256GCM", header.GetProperty("enc").GetString());
        var (jwsHeader, payload) = TestJose.Verify(Encoding.ASCII.GetString(jws), keys.Ours1);
        Assert.Equal("RS256", jwsHeader.GetProperty("alg").GetString());
        Assert.Equal(Json, Encoding.UTF8.GetString(payload));
        Assert.ThrowsAny<CryptographicException>(() => TestJose.Decrypt(compact, keys.Google2)); // encrypted to the first Google key only
    }

    [Fact]
    public void Kid_is_a_hint_not_a_filter()
    {
        var envelope = keys.Envelope();
        var jws = Encoding.ASCII.GetBytes(TestJose.Sign(JsonBytes, keys.Google2, kid: "google-key-2"));
        var body = TestJose.Encrypt(jws, keys.Ours2, "RSA-OAEP-256", "A256GCM", kid: "some-other-name");
        Assert.Equal(Json, Encoding.UTF8.GetString(envelope.Open(Body(body))));
    }

    [Fact]
    public void Encrypted_to_a_key_we_do_not_hold_is_invalid_encryption()
    {
        foreach (var alg in new[] { "RSA-OAEP-256", "RSA1_5" })
        {
            var body = TestJose.Encrypt(Encoding.ASCII.GetBytes(TestJose.Sign(JsonBytes, keys.Google1)), keys.Stranger, alg, "A256GCM");
            Assert.Equal(EnvelopeFailure.InvalidEncryption, PgpEnvelopeInteropTests.Failure(() => keys.Envelope().Open(Body(body))));
        }
    }

    [Theory]
    [InlineData("stranger")]
    [InlineData("unsigned")]
    [InlineData("none")]
    [InlineData("HS256")]
    public void Not_signed_by_google_is_invalid_signature(string kind)
    {
        var inner = kind switch
        {
            "stranger" => TestJose.Sign(JsonBytes, keys.Stranger),
            "unsigned" => Json,
            "none" => TestJose.Sign(JsonBytes, keys.Google1, alg: "none"),
            _ => TestJose.Sign(JsonBytes, keys.Google1, alg: "HS256"),
        };
        var body = TestJose.Encrypt(Encoding.UTF8.GetBytes(inner), keys.Ours1, "RSA-OAEP-256", "A256GCM");
        Assert.Equal(EnvelopeFailure.InvalidSignature, PgpEnvelopeInteropTests.Failure(() => keys.Envelope().Open(Body(body))));
    }

    [Fact]
    public void Tampering_never_opens()
    {
        var envelope = keys.Envelope();
        foreach (var enc in new[] { "A256GCM", "A128CBC-HS256" })
        {
            var body = TestJose.Encrypt(Encoding.ASCII.GetBytes(TestJose.Sign(JsonBytes, keys.Google1)), keys.Ours1, "RSA1_5", enc);
            var parts = body.Split('.');
            for (int part = 0; part < 5; part++)
            {
                var bytes = TestJose.UnB64(parts[part]);
                bytes[bytes.Length / 2] ^= 0x20;
                var copy = (string[])parts.Clone();
                copy[part] = TestJose.B64(bytes);
                Assert.IsType<EnvelopeException>(Record.Exception(() => envelope.Open(Body(string.Join('.', copy)))));
            }
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"requestHeader\":{}}")]
    [InlineData("a.b.c.d.e")]
    [InlineData("a.b.c")]
    public void Plaintext_or_garbage_is_invalid_encryption(string body)
    {
        Assert.Equal(EnvelopeFailure.InvalidEncryption, PgpEnvelopeInteropTests.Failure(() => keys.Envelope().Open(Encoding.UTF8.GetBytes(body))));
    }

    [Fact]
    public void Unsupported_algorithms_are_invalid_encryption()
    {
        var body = TestJose.Encrypt(Encoding.ASCII.GetBytes(TestJose.Sign(JsonBytes, keys.Google1)), keys.Ours1, "RSA-OAEP-256", "A256GCM");
        var parts = body.Split('.');
        parts[0] = TestJose.B64(Encoding.UTF8.GetBytes("{\"alg\":\"dir\",\"enc\":\"A256GCM\"}"));
        Assert.Equal(EnvelopeFailure.InvalidEncryption, PgpEnvelopeInteropTests.Failure(() => keys.Envelope().Open(Body(string.Join('.', parts)))));
    }
}
