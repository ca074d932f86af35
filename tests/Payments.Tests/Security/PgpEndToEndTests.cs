using System.Text;
using System.Text.Json.Nodes;
using Payments.Core.Hosting;
using Payments.Core.Protocol;
using Payments.StandIns.Google;
using Payments.Tests.Adversarial;
using Payments.Tests.EndToEnd;
using Payments.StandIns.Gsp;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Security;

/// <summary>The local host in Pgp mode, over HTTP, with GnuPG playing Google: requests signed and
/// encrypted by gpg are served; responses (errors included) and notifications open and verify in gpg
/// or on Google's side; the echo probes get the statuses of docs/protocol.md §7.</summary>
[Trait("Category", Category.Interop)]
public sealed class PgpEndToEndTests(PgpKeysFixture keys) : IClassFixture<PgpKeysFixture>, IAsyncLifetime
{
    private const string OctetStream = "application/octet-stream; charset=utf-8";
    private LocalHostUnderTest _host = null!;
    private GoogleStandIn _google = null!;

    public async Task InitializeAsync()
    {
        _google = await GoogleStandIn.StartAsync(keys.GoogleSide());
        _host = await LocalHostUnderTest.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Security:Mode"] = "Pgp",
            // Rotation: two keys of ours, requests to either are served, responses signed by both.
            ["Security:Pgp:IntegratorPrivateKeys"] = keys.Ours1Secret + "\n" + keys.Ours2Secret,
            ["Security:Pgp:Passphrase"] = PgpKeysFixture.OursPassphrase,
            ["Security:Pgp:GooglePublicKeys"] = keys.GooglePublicKeys,
        }, google: _google);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _google.DisposeAsync();
    }

    private byte[] AsGoogle(JsonObject request, string recipient) =>
        keys.GpgBody(request.ToJsonString(), "--sign", "--encrypt", "--digest-algo", "SHA384", "--cipher-algo", "AES256", "-u", keys.Google, "-r", recipient);

    /// <summary>Decrypts and verifies a response with gpg; returns the JSON and gpg's status lines.</summary>
    private (JsonNode Json, string Status) OpenWithGpg(byte[] body)
    {
        var result = keys.Gpg.Must(PgpKeysFixture.FromBase64Url(body), "--status-fd", "2", "--decrypt");
        return (JsonNode.Parse(result.Stdout)!, result.Stderr);
    }

    [Fact]
    public async Task A_gpg_signed_and_encrypted_echo_is_served_and_the_response_verifies_in_gpg_with_both_our_keys()
    {
        foreach (var recipient in new[] { keys.Ours1, keys.Ours2 })
        {
            var (status, body, contentType) = await _host.PostBytesAsync(ProtocolMethods.EchoRorpcV1.Route, AsGoogle(GspRequests.EchoV1(), recipient), OctetStream);
            Assert.Equal(200, status);
            Assert.Equal(OctetStream, contentType);
            var (json, gpgStatus) = OpenWithGpg(body);
            Assert.Equal("client message", json["clientMessage"]!.GetValue<string>());
            Assert.Contains("DECRYPTION_OKAY", gpgStatus);
            Assert.Equal(2, gpgStatus.Split('\n').Count(l => l.Contains("[GNUPG:] GOODSIG", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task Error_responses_are_sealed_when_the_request_could_be_attributed()
    {
        var request = GspRequests.EchoV1();
        request["requestHeader"]!["protocolVersion"]!["major"] = 7;
        var (status, body, _) = await _host.PostBytesAsync(ProtocolMethods.EchoRorpcV1.Route, AsGoogle(request, keys.Ours1), OctetStream);
        Assert.Equal(400, status);
        var (json, gpgStatus) = OpenWithGpg(body);
        Assert.Equal("INVALID_API_VERSION", json["errorResponseCode"]!.GetValue<string>());
        Assert.Contains("GOODSIG", gpgStatus);
    }

    [Fact]
    public async Task Echo_probes_get_the_statuses_of_the_spec()
    {
        var json = GspRequests.EchoV1().ToJsonString();
        // Not signed: encrypted only.
        var unsigned = keys.GpgBody(json, "--encrypt", "--cipher-algo", "AES256", "-r", keys.Ours1);
        Assert.Equal(401, (await _host.PostBytesAsync(ProtocolMethods.EchoRorpcV1.Route, unsigned, OctetStream)).Status);
        // Signed by a stranger only.
        var stranger = keys.GpgBody(json, "--sign", "--encrypt", "--digest-algo", "SHA384", "-u", keys.Stranger, "-r", keys.Ours1);
        Assert.Equal(401, (await _host.PostBytesAsync(ProtocolMethods.EchoRorpcV1.Route, stranger, OctetStream)).Status);
        // One valid signature among several.
        var several = keys.GpgBody(json, "--sign", "--encrypt", "--digest-algo", "SHA384", "-u", keys.Stranger, "-u", keys.Google, "-r", keys.Ours1);
        Assert.Equal(200, (await _host.PostBytesAsync(ProtocolMethods.EchoRorpcV1.Route, several, OctetStream)).Status);
        // Encrypted to a key we do not have.
        var elsewhere = keys.GpgBody(json, "--sign", "--encrypt", "--digest-algo", "SHA384", "-u", keys.Google, "-r", keys.Google);
        Assert.Equal(400, (await _host.PostBytesAsync(ProtocolMethods.EchoRorpcV1.Route, elsewhere, OctetStream)).Status);
        // Plaintext JSON in Pgp mode.
        Assert.Equal(400, (await _host.PostBytesAsync(ProtocolMethods.EchoRorpcV1.Route, Encoding.UTF8.GetBytes(json), "application/json")).Status);
        // Tampered ciphertext.
        var tampered = AsGoogle(GspRequests.EchoV1(), keys.Ours1);
        tampered[tampered.Length / 2] = tampered[tampered.Length / 2] == (byte)'A' ? (byte)'B' : (byte)'A';
        Assert.Contains((await _host.PostBytesAsync(ProtocolMethods.EchoRorpcV1.Route, tampered, OctetStream)).Status, new[] { 400, 401 });
        // Standard base64 with padding is tolerated (decision documented in Security/README.md).
        var standard = Encoding.ASCII.GetBytes(Convert.ToBase64String(PgpKeysFixture.FromBase64Url(AsGoogle(GspRequests.EchoV1(), keys.Ours1))));
        Assert.Equal(200, (await _host.PostBytesAsync(ProtocolMethods.EchoRorpcV1.Route, standard, OctetStream)).Status);
    }

    [Fact]
    public async Task Pgp_bombs_and_floods_get_the_bare_400_of_a_malformed_envelope_and_the_host_stays_healthy()
    {
        var valid = PgpKeysFixture.FromBase64Url(AsGoogle(GspRequests.EchoV1(), keys.Ours1));
        var outer = PgpBombs.OuterPackets(valid);
        byte[][] hostile =
        [
            PgpBombs.Encrypt(PgpBombs.Compressed(PgpBombs.Zip, s => PgpBombs.ZeroPacket(s, 60, 256L << 20, partial: true), partial: true), keys.Ours1Public),
            PgpBombs.Encrypt(PgpBombs.Compressed(PgpBombs.BZip2, s => PgpBombs.ZeroPacket(s, 60, 256L << 20, partial: true), partial: true), keys.Ours1Public),
            PgpBombs.Encrypt(PgpBombs.Compressed(PgpBombs.ZLib, s => PgpBombs.Repeat(s, PgpBombs.TinySignature, 30L << 20)), keys.Ours1Public),
            PgpBombs.Flood(outer[0], 760_000, outer[1]), // session-key packets naming our key
        ];
        var answers = await Task.WhenAll(hostile.Select(raw =>
            _host.PostBytesAsync(ProtocolMethods.EchoRorpcV1.Route, PgpBombs.ToBody(raw), OctetStream)));
        foreach (var (status, body, _) in answers)
        {
            Assert.Equal(400, status);
            Assert.Empty(body); // not attributable to Google: the bare status, as for any malformed envelope
        }
        Assert.Equal(200, (await _host.InternalAsync(HttpMethod.Get, "/health", key: null)).Status);
        Assert.Equal(200, (await _host.PostBytesAsync(ProtocolMethods.EchoRorpcV1.Route, PgpBombs.ToBody(valid), OctetStream)).Status);
    }

    [Fact]
    public async Task A_Google_request_is_served_under_its_documented_Content_Type_in_any_form_and_refused_under_another()
    {
        // What Google sends (docs/protocol.md §7), in every form the header may take, or no header at all.
        foreach (var accepted in new[] { OctetStream, "application/octet-stream", "APPLICATION/Octet-Stream; CHARSET=UTF-8", "application/octet-stream; charset=utf-8; x=1", null })
        {
            var (status, body, _) = await _host.PostBytesAsync(ProtocolMethods.EchoRorpcV1.Route, AsGoogle(GspRequests.EchoV1(), keys.Ours1), accepted);
            Assert.True(status == 200, $"{accepted}: {status}");
            Assert.Equal("client message", OpenWithGpg(body).Json["clientMessage"]!.GetValue<string>());
        }
        // The same valid body declared as anything else: the bare 400 of a body that does not open.
        foreach (var refused in new[] { "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain", "application/json", "application/jose" })
        {
            var (status, body, _) = await _host.PostBytesAsync(ProtocolMethods.EchoRorpcV1.Route, AsGoogle(GspRequests.EchoV1(), keys.Ours1), refused);
            Assert.True(status == 400, $"{refused}: {status}");
            Assert.Empty(body);
        }
    }

    [Fact]
    public async Task A_payment_notification_reaches_Google_sealed_and_signed_by_us()
    {
        var generate = GspRequests.GenerateV1(micros: 3_000_000);
        var (status, body, _) = await _host.PostBytesAsync(ProtocolMethods.GenerateReferenceNumberV1.Route, AsGoogle(generate, keys.Ours1), OctetStream);
        Assert.Equal(200, status);
        var number = OpenWithGpg(body).Json["displayableReferenceNumber"]!["barcodeWithPrintableString"]!["printableString"]!.GetValue<string>();
        var (payStatus, paid) = await _host.PayAsync(GspRequests.Usd, number);
        Assert.Equal(200, payStatus);
        var notificationId = paid!["notificationRequestId"]!.GetValue<string>();
        Assert.True(await _google.WaitForAcceptedAsync(notificationId, TimeSpan.FromSeconds(30)));
        Assert.Equal(number, _google.AttemptsFor(notificationId).Single(n => n.Accepted).Fields["referenceNumber"]);
        Assert.Empty(_google.Violations);
    }
}
