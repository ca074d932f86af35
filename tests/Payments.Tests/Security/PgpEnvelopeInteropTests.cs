using System.Text;
using Payments.Core.Security;
using Microsoft.Extensions.Time.Testing;
using Payments.Tests.TestSupport;
using Payments.Core.Security.Pgp;

namespace Payments.Tests.Security;

/// <summary>Interoperability with the GnuPG command line, and Google's echo probes at envelope level.</summary>
[Trait("Category", Category.Interop)]
public sealed class PgpEnvelopeInteropTests(PgpKeysFixture keys) : IClassFixture<PgpKeysFixture>
{
    private const string Json = """{"requestHeader":{"protocolVersion":{"major":1},"requestId":"req-1","requestTimestamp":"1700000000000"},"paymentIntegratorAccountId":"InvisiCashUSA_USD","amount":{"amountMicros":"1000000","currencyCode":"USD"}}""";

    private string[] SignEncrypt(string recipient, params string[] extra) =>
        ["--sign", "--encrypt", "--digest-algo", "SHA384", "--cipher-algo", "AES256", "-u", keys.Google, "-r", recipient, .. extra];

    [Theory]
    [InlineData("zip")]
    [InlineData("zlib")]
    [InlineData("bzip2")]
    [InlineData("none")]
    public void Gpg_signed_and_encrypted_request_opens(string compression)
    {
        var body = keys.GpgBody(Json, SignEncrypt(keys.Ours1, "--compress-algo", compression));
        Assert.Equal(Json, Encoding.UTF8.GetString(keys.Single().Open(body)));
    }

    [Theory]
    [InlineData("bzip2", "3")]
    [InlineData("zip", "1")]
    [InlineData("zlib", "2")]
    public void Gpg_partial_length_compressed_request_opens_and_our_reply_opens_in_gpg(string compression, string algorithm)
    {
        // gpg → us: a partial-length encrypted packet holding an indeterminate-length compressed packet.
        var raw = keys.Gpg.Must(Encoding.UTF8.GetBytes(Json), SignEncrypt(keys.Ours1, "--compress-algo", compression)).Stdout;
        var packets = keys.Gpg.Must(raw, "--list-packets", "-vv");
        var listing = packets.Text + packets.Stderr;
        Assert.Contains("tag=18 hlen=2 plen=0 partial", listing);
        Assert.Contains("tag=8 hlen=1 plen=0 indeterminate", listing);
        Assert.Contains(":compressed packet: algo=" + algorithm, listing);
        var opened = keys.Single().Open(Encoding.ASCII.GetBytes(PgpKeysFixture.ToBase64Url(raw)));
        Assert.Equal(Json, Encoding.UTF8.GetString(opened));

        // us → gpg: our reply (uncompressed: we never produce compression) decrypts and verifies in gpg,
        // and what gpg read comes back to us compressed the same way and opens again.
        var reply = keys.Gpg.Must(PgpKeysFixture.FromBase64Url(keys.Single().Seal(opened)), "--status-fd", "2", "--decrypt");
        Assert.Contains("[GNUPG:] GOODSIG " + keys.Ours1[^16..], reply.Stderr);
        Assert.Contains("[GNUPG:] GOODMDC", reply.Stderr);
        var again = keys.Gpg.Must(reply.Stdout, SignEncrypt(keys.Ours1, "--compress-algo", compression)).Stdout;
        Assert.Equal(Json, Encoding.UTF8.GetString(keys.Single().Open(Encoding.ASCII.GetBytes(PgpKeysFixture.ToBase64Url(again)))));
    }

    [Fact]
    public void Gpg_bzip2_signed_message_in_our_partial_length_encryption_opens()
    {
        // BouncyCastle's generator writes the encrypted packet in partial-length chunks of 1 KiB; the
        // signed content is large enough to span several, bzip2-compressed by gpg.
        var json = "{\"notes\":\"" + string.Concat(Enumerable.Range(0, 400).Select(i => $"line {i} ")) + "\"}";
        var signed = keys.Gpg.Must(Encoding.UTF8.GetBytes(json), "--digest-algo", "SHA384", "-u", keys.Google, "--compress-algo", "bzip2", "--sign").Stdout;
        Assert.Equal(json, Encoding.UTF8.GetString(keys.Single().Open(keys.WrapEncrypted(signed))));
    }

    [Fact]
    public void Text_mode_signature_verifies()
    {
        var body = keys.GpgBody(Json, SignEncrypt(keys.Ours1, "--textmode"));
        Assert.Equal(Json, Encoding.UTF8.GetString(keys.Single().Open(body)));
    }

    [Theory]
    [InlineData("v4-alg99")]
    [InlineData("v6")]
    public void A_gpg_signed_request_with_a_newer_signature_beside_it_opens_and_without_gpgs_does_not(string kind)
    {
        // gpg's one-pass, literal and signature packets, with a signature we cannot read added around
        // them as a second signer would (its one-pass packet outermost, its signature last).
        var signed = keys.Gpg.Must(Encoding.UTF8.GetBytes(Json), "--digest-algo", "SHA384", "-u", keys.Google, "--compress-algo", "none", "--sign").Stdout;
        var packets = Adversarial.PgpBombs.OuterPackets(signed);
        Assert.Equal(3, packets.Count);
        int pos = 0;
        Payments.Core.Security.Pgp.PgpPackets.TryRead(packets[0], ref pos, out _, out var ops);
        var keyId = System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(ops.AsSpan(4));
        byte[] outer = Adversarial.PgpBombs.OnePass(keyId, last: false), unusable = Adversarial.PgpBombs.UnusableSignature(kind, keyId);
        Assert.Equal(Json, Encoding.UTF8.GetString(keys.Single().Open(keys.WrapEncrypted([.. outer, .. packets[0], .. packets[1], .. packets[2], .. unusable]))));
        var alone = Record.Exception(() => keys.Single().Open(keys.WrapEncrypted([.. Adversarial.PgpBombs.OnePass(keyId, last: true), .. packets[1], .. unusable])));
        Assert.Equal(EnvelopeFailure.InvalidEncryption, Assert.IsType<EnvelopeException>(alone).Failure);
    }

    [Fact]
    public void Rotation_requests_to_either_key_open()
    {
        var envelope = keys.Rotation();
        Assert.Equal(Json, Encoding.UTF8.GetString(envelope.Open(keys.GpgBody(Json, SignEncrypt(keys.Ours1)))));
        Assert.Equal(Json, Encoding.UTF8.GetString(envelope.Open(keys.GpgBody(Json, SignEncrypt(keys.Ours2)))));
    }

    [Fact]
    public void Hidden_recipient_is_found_by_trying_our_keys()
    {
        var body = keys.GpgBody(Json, SignEncrypt(keys.Ours2, "--throw-keyids"));
        Assert.Equal(Json, Encoding.UTF8.GetString(keys.Rotation().Open(body)));
    }

    [Fact]
    public void Key_we_no_longer_hold_is_refused()
    {
        var body = keys.GpgBody(Json, SignEncrypt(keys.Ours2));
        Assert.Equal(EnvelopeFailure.InvalidEncryption, Failure(() => keys.Single().Open(body)));
    }

    [Fact]
    public void Sealed_response_decrypts_and_verifies_with_gpg_signed_by_every_key()
    {
        var envelope = keys.Rotation();
        Assert.Equal("application/octet-stream; charset=utf-8", envelope.ContentType);
        var sealedBody = envelope.Seal(Encoding.UTF8.GetBytes(Json));
        Assert.DoesNotContain((byte)'=', sealedBody);
        Assert.DoesNotContain((byte)'+', sealedBody);
        Assert.DoesNotContain((byte)'/', sealedBody);

        var r = keys.Gpg.Must(PgpKeysFixture.FromBase64Url(sealedBody), "--status-fd", "2", "--decrypt");
        Assert.Equal(Json, r.Text);
        var status = r.Stderr.Split('\n').Where(l => l.StartsWith("[GNUPG:] ", StringComparison.Ordinal)).ToList();
        Assert.Contains("[GNUPG:] DECRYPTION_OKAY", status);
        Assert.Contains(status, l => l.StartsWith("[GNUPG:] DECRYPTION_INFO 2 9", StringComparison.Ordinal)); // MDC, AES256
        Assert.Contains("[GNUPG:] GOODMDC", status);
        foreach (var fingerprint in new[] { keys.Ours1, keys.Ours2 })
        {
            Assert.Contains(status, l => l.StartsWith("[GNUPG:] GOODSIG " + fingerprint[^16..], StringComparison.Ordinal));
            var valid = status.Single(l => l.StartsWith("[GNUPG:] VALIDSIG ", StringComparison.Ordinal) && l.EndsWith(fingerprint, StringComparison.Ordinal));
            Assert.Equal("9", valid.Split(' ')[9]); // hash algorithm: SHA384
        }
        Assert.DoesNotContain(status, l => l.Contains("BADSIG") || l.Contains("ERRSIG") || l.Contains("BADMDC"));
    }

    [Fact]
    public void Sealed_response_round_trips_through_our_own_envelope()
    {
        var sealedBody = keys.Rotation().Seal(Encoding.UTF8.GetBytes(Json));
        Assert.Equal(Json, Encoding.UTF8.GetString(keys.GoogleSide().Open(sealedBody)));
    }

    [Theory]
    [InlineData("zip")]
    [InlineData("none")]
    public void Unsigned_request_is_invalid_signature(string compression)
    {
        var body = keys.GpgBody(Json, "--encrypt", "--cipher-algo", "AES256", "--compress-algo", compression, "-r", keys.Ours1);
        Assert.Equal(EnvelopeFailure.InvalidSignature, Failure(() => keys.Single().Open(body)));
    }

    [Fact]
    public void Only_unknown_signature_is_invalid_signature()
    {
        var body = keys.GpgBody(Json, "--sign", "--encrypt", "--digest-algo", "SHA384", "-u", keys.Stranger, "-r", keys.Ours1);
        Assert.Equal(EnvelopeFailure.InvalidSignature, Failure(() => keys.Single().Open(body)));
    }

    [Fact]
    public void Only_expired_or_unknown_signatures_are_invalid_signature()
    {
        // gpg will not sign with an expired key, so sign while it was valid (faked clock), then encrypt.
        var signed = keys.Gpg.Must(Encoding.UTF8.GetBytes(Json), "--faked-system-time", PgpKeysFixture.ExpiredSignTime,
            "--digest-algo", "SHA384", "-u", keys.ExpiredGoogle, "--sign").Stdout;
        Assert.Equal(EnvelopeFailure.InvalidSignature, Failure(() => keys.Single().Open(keys.WrapEncrypted(signed))));

        var twoSigned = keys.Gpg.Must(Encoding.UTF8.GetBytes(Json), "--faked-system-time", PgpKeysFixture.ExpiredSignTime, "--ignore-time-conflict",
            "--digest-algo", "SHA384", "-u", keys.ExpiredGoogle, "-u", keys.Stranger, "--sign").Stdout;
        Assert.Equal(EnvelopeFailure.InvalidSignature, Failure(() => keys.Single().Open(keys.WrapEncrypted(twoSigned))));
    }

    [Fact]
    public void Expired_signature_does_not_count()
    {
        var body = keys.GpgBody(Json, SignEncrypt(keys.Ours1, "--default-sig-expire", "1d"));
        Assert.Equal(Json, Encoding.UTF8.GetString(keys.Single().Open(body)));
        var twoDaysLater = new PgpEnvelope(keys.Ours1Secret, null, keys.GooglePublicKeys, new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(2)));
        Assert.Equal(EnvelopeFailure.InvalidSignature, Failure(() => twoDaysLater.Open(body)));
    }

    [Fact]
    public void One_valid_signature_among_several_opens()
    {
        var body = keys.GpgBody(Json, "--sign", "--encrypt", "--digest-algo", "SHA384", "-u", keys.Stranger, "-u", keys.Google, "-r", keys.Ours1);
        Assert.Equal(Json, Encoding.UTF8.GetString(keys.Single().Open(body)));
    }

    [Fact]
    public void Gpg_signed_message_wrapped_by_another_implementation_opens()
    {
        var signed = keys.Gpg.Must(Encoding.UTF8.GetBytes(Json), "--digest-algo", "SHA384", "-u", keys.Google, "--sign").Stdout;
        Assert.Equal(Json, Encoding.UTF8.GetString(keys.Single().Open(keys.WrapEncrypted(signed))));
    }

    [Fact]
    public void Encryption_without_integrity_protection_is_refused()
    {
        var signed = keys.Gpg.Must(Encoding.UTF8.GetBytes(Json), "--digest-algo", "SHA384", "-u", keys.Google, "--sign").Stdout;
        Assert.Equal(EnvelopeFailure.InvalidEncryption, Failure(() => keys.Single().Open(keys.WrapEncrypted(signed, integrityProtected: false))));
    }

    [Fact]
    public void Encrypted_to_a_key_we_do_not_hold_is_invalid_encryption()
    {
        var body = keys.GpgBody(Json, SignEncrypt(keys.Google));
        Assert.Equal(EnvelopeFailure.InvalidEncryption, Failure(() => keys.Single().Open(body)));
    }

    [Fact]
    public void Signed_but_not_encrypted_is_invalid_encryption()
    {
        Assert.Equal(EnvelopeFailure.InvalidEncryption, Failure(() => keys.Single().Open(keys.GpgBody(Json, "-u", keys.Google, "--sign"))));
        Assert.Equal(EnvelopeFailure.InvalidEncryption, Failure(() => keys.Single().Open(keys.GpgBody(Json, "-u", keys.Google, "--compress-algo", "none", "--sign"))));
    }

    [Fact]
    public void Symmetrically_encrypted_is_invalid_encryption()
    {
        var body = keys.GpgBody(Json, "--passphrase", "x", "--symmetric", "--cipher-algo", "AES256");
        Assert.Equal(EnvelopeFailure.InvalidEncryption, Failure(() => keys.Single().Open(body)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{\"requestHeader\":{}}")]
    [InlineData("AAAA")]
    [InlineData("not base64 at all!")]
    public void Plaintext_or_garbage_body_is_invalid_encryption(string body)
    {
        Assert.Equal(EnvelopeFailure.InvalidEncryption, Failure(() => keys.Single().Open(Encoding.UTF8.GetBytes(body))));
    }

    [Fact]
    public void Tampered_ciphertext_never_opens()
    {
        var envelope = keys.Single();
        var raw = keys.Gpg.Must(Encoding.UTF8.GetBytes(Json), SignEncrypt(keys.Ours1, "--compress-algo", "none")).Stdout;
        var rng = new Random(5);
        var positions = new List<int> { 0, 1, 5, 20, raw.Length / 2, raw.Length - 30, raw.Length - 1 };
        for (int i = 0; i < 40; i++) positions.Add(rng.Next(raw.Length));
        foreach (var position in positions)
        {
            var tampered = (byte[])raw.Clone();
            tampered[position] ^= (byte)(1 << rng.Next(8));
            var e = Record.Exception(() => envelope.Open(Encoding.ASCII.GetBytes(PgpKeysFixture.ToBase64Url(tampered))));
            Assert.IsType<EnvelopeException>(e);
        }
        var truncated = raw[..^1];
        Assert.IsType<EnvelopeException>(Record.Exception(() => envelope.Open(Encoding.ASCII.GetBytes(PgpKeysFixture.ToBase64Url(truncated)))));
    }

    [Fact]
    public void Malformed_content_inside_valid_encryption_is_an_envelope_failure()
    {
        var envelope = keys.Single();
        var signed = keys.Gpg.Must(Encoding.UTF8.GetBytes(Json), "--digest-algo", "SHA384", "-u", keys.Google, "--compress-algo", "none", "--sign").Stdout;
        var rng = new Random(7);
        var inners = new List<byte[]> { Array.Empty<byte>(), signed[..(signed.Length / 2)], signed[..^1], signed.Concat(signed).ToArray() };
        for (int i = 0; i < 30; i++)
        {
            var mutated = (byte[])signed.Clone();
            mutated[rng.Next(mutated.Length)] ^= (byte)(1 + rng.Next(255));
            inners.Add(mutated);
            var random = new byte[rng.Next(1, 300)];
            rng.NextBytes(random);
            inners.Add(random);
        }
        foreach (var inner in inners)
        {
            byte[]? opened = null;
            var e = Record.Exception(() => opened = envelope.Open(keys.WrapEncrypted(inner)));
            // Bytes outside the signature (one-pass packet, literal file name/date, unhashed subpackets)
            // may change and still open, but never to anything other than what Google signed.
            if (e is null) Assert.Equal(Json, Encoding.UTF8.GetString(opened!));
            else Assert.IsType<EnvelopeException>(e);
        }
    }

    [Fact]
    public void Base64_variants_are_accepted_but_not_a_mix_of_alphabets()
    {
        var envelope = keys.Single();
        byte[] raw;
        string standard;
        do // make sure the encoding actually exercises both alphabet differences
        {
            raw = keys.Gpg.Must(Encoding.UTF8.GetBytes(Json), SignEncrypt(keys.Ours1)).Stdout;
            standard = Convert.ToBase64String(raw);
        } while (!(standard.Contains('+') && standard.Contains('/') && standard.EndsWith('=')));
        var url = standard.Replace('+', '-').Replace('/', '_');
        foreach (var variant in new[] { standard, standard.TrimEnd('='), url, url.TrimEnd('='), url + "\r\n" })
            Assert.Equal(Json, Encoding.UTF8.GetString(envelope.Open(Encoding.ASCII.GetBytes(variant))));

        int plus = standard.IndexOf('+');
        var mixed = url[..plus] + "+" + url[(plus + 1)..];
        Assert.Equal(EnvelopeFailure.InvalidEncryption, Failure(() => envelope.Open(Encoding.ASCII.GetBytes(mixed))));
        Assert.Equal(EnvelopeFailure.InvalidEncryption, Failure(() => envelope.Open(Encoding.ASCII.GetBytes(url.TrimEnd('=') + "==="))));
    }

    [Fact]
    public async Task Concurrent_open_and_seal_are_safe()
    {
        var envelope = keys.Rotation();
        var body = keys.GpgBody(Json, SignEncrypt(keys.Ours1));
        var google = keys.GoogleSide();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 20; i++)
            {
                Assert.Equal(Json, Encoding.UTF8.GetString(envelope.Open(body)));
                Assert.Equal(Json, Encoding.UTF8.GetString(google.Open(envelope.Seal(Encoding.UTF8.GetBytes(Json)))));
            }
        })));
    }

    internal static EnvelopeFailure Failure(Action action) => Assert.IsType<EnvelopeException>(Record.Exception(action)).Failure;
}
