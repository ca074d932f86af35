using System.Text;
using Payments.Core.Security;
using Payments.Tests.TestSupport;
using Payments.Core.Security.Jwe;
using Payments.Core.Security.Pgp;

namespace Payments.Tests.Security;

[Trait("Category", Category.Interop)]
public sealed class KeyToolTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("keytool").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void Generated_pgp_key_imports_into_gpg_and_interoperates()
    {
        var secretFile = Path.Combine(_dir, "integrator.asc");
        var output = new StringWriter();
        int rc = KeyTool.Run(["keygen", "--user-id", "Integrator Ops <ops@integrator.test>", "--out", secretFile, "--passphrase", "s3cret pass"], output);
        Assert.Equal(0, rc);
        var printed = output.ToString();
        Assert.Contains("-----BEGIN PGP PUBLIC KEY BLOCK-----", printed);
        Assert.DoesNotContain("PRIVATE KEY", printed);
        Assert.Contains(secretFile, printed);
        var secret = File.ReadAllText(secretFile);
        Assert.Contains("-----BEGIN PGP PRIVATE KEY BLOCK-----", secret);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secretFile));

        using var gpg = new Gpg();
        gpg.Import(printed[..(printed.IndexOf("-----END PGP PUBLIC KEY BLOCK-----", StringComparison.Ordinal) + 34)]);
        gpg.Must(Encoding.ASCII.GetBytes(secret), "--passphrase", "s3cret pass", "--import");
        var listing = gpg.Must(null, "--with-colons", "--list-secret-keys").Text.Split('\n');
        var sec = listing.Single(l => l.StartsWith("sec:", StringComparison.Ordinal)).Split(':');
        var ssb = listing.Single(l => l.StartsWith("ssb:", StringComparison.Ordinal)).Split(':');
        Assert.Equal(("3072", "1"), (sec[2], sec[3])); // RSA-3072
        Assert.Equal(("3072", "1"), (ssb[2], ssb[3]));
        Assert.Contains("s", sec[11]); Assert.DoesNotContain("e", sec[11]);
        Assert.Equal("e", ssb[11]);
        var expires = DateTimeOffset.FromUnixTimeSeconds(long.Parse(sec[6], System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(expires, DateTimeOffset.UtcNow.AddDays(364), DateTimeOffset.UtcNow.AddDays(366));
        Assert.Contains(listing, l => l.StartsWith("uid:", StringComparison.Ordinal) && l.Contains("Integrator Ops <ops@integrator.test>"));

        // gpg (as Google) signs and encrypts to the new key; our envelope opens it with the passphrase;
        // our reply verifies in gpg.
        var google = gpg.GenerateKey("Google <google@google.test>", "rsa3072", "sign", "1y");
        gpg.AddSubkey(google, "rsa3072", "encr", "1y");
        var envelope = new PgpEnvelope(secret, "s3cret pass", gpg.ExportPublic(google));
        var json = """{"hello":"world"}""";
        var request = gpg.Must(Encoding.UTF8.GetBytes(json), "--sign", "--encrypt", "--digest-algo", "SHA384", "-u", google, "-r", "ops@integrator.test").Stdout;
        Assert.Equal(json, Encoding.UTF8.GetString(envelope.Open(Encoding.ASCII.GetBytes(PgpKeysFixture.ToBase64Url(request)))));
        var reply = gpg.Must(PgpKeysFixture.FromBase64Url(envelope.Seal(Encoding.UTF8.GetBytes(json))), "--status-fd", "2", "--decrypt");
        Assert.Equal(json, reply.Text);
        Assert.Contains("[GNUPG:] GOODSIG", reply.Stderr);
        Assert.Contains("[GNUPG:] DECRYPTION_OKAY", reply.Stderr);
    }

    [Fact]
    public void Generated_pgp_key_without_passphrase_signs_and_decrypts_in_gpg()
    {
        // An unprotected secret key carries a two-byte checksum (S2K usage 0); gpg refuses to use a key
        // whose checksum does not match ("Checksum error").
        var secretFile = Path.Combine(_dir, "plain.asc");
        Assert.Equal(0, KeyTool.Run(["keygen", "--user-id", "Plain <plain@integrator.test>", "--out", secretFile, "--bits", "2048"], new StringWriter()));
        using var gpg = new Gpg();
        gpg.Import(File.ReadAllText(secretFile));
        var json = """{"hello":"world"}""";
        var signed = gpg.Must(Encoding.UTF8.GetBytes(json), "--status-fd", "2", "-u", "plain@integrator.test", "--sign");
        Assert.Contains("[GNUPG:] SIG_CREATED", signed.Stderr);
        var verified = gpg.Must(signed.Stdout, "--status-fd", "2", "--decrypt");
        Assert.Equal(json, verified.Text);
        Assert.Contains("[GNUPG:] GOODSIG", verified.Stderr);
        var encrypted = gpg.Must(Encoding.UTF8.GetBytes(json), "-r", "plain@integrator.test", "--encrypt").Stdout;
        Assert.Equal(json, gpg.Must(encrypted, "--decrypt").Text); // the subkey's secret part is sound too
    }

    [Fact]
    public void Jwe_key_pair_is_pem_and_loads()
    {
        var secretFile = Path.Combine(_dir, "jwe.pem");
        var output = new StringWriter();
        Assert.Equal(0, KeyTool.Run(["--jwe", "--out", secretFile], output));
        var printed = output.ToString();
        Assert.Contains("-----BEGIN PUBLIC KEY-----", printed);
        Assert.DoesNotContain("PRIVATE", printed);
        var secret = File.ReadAllText(secretFile);
        Assert.Contains("-----BEGIN PRIVATE KEY-----", secret);
        var publicPem = printed[..(printed.IndexOf("-----END PUBLIC KEY-----", StringComparison.Ordinal) + 24)];
        var envelope = new JweEnvelope(secret, publicPem);
        var mirror = new JweEnvelope(secret, publicPem);
        Assert.Equal("{}"u8.ToArray(), mirror.Open(envelope.Seal("{}"u8)));
    }

    [Fact]
    public void Secret_is_printed_only_when_asked_and_files_are_not_overwritten()
    {
        var secretFile = Path.Combine(_dir, "k.pem");
        var output = new StringWriter();
        Assert.Equal(0, KeyTool.Run(["--jwe", "--bits", "2048", "--out", secretFile, "--print-secret"], output));
        Assert.Contains("-----BEGIN PRIVATE KEY-----", output.ToString());
        Assert.Equal(1, KeyTool.Run(["--jwe", "--bits", "2048", "--out", secretFile], new StringWriter()));
        Assert.Equal(0, KeyTool.Run(["--jwe", "--bits", "2048", "--out", secretFile, "--force"], new StringWriter()));
    }

    [Theory]
    [InlineData("keygen")]
    [InlineData("keygen --out x.asc")]
    [InlineData("keygen --user-id a --out x.asc --days 1000")]
    [InlineData("keygen --user-id a --out x.asc --bits 1024")]
    [InlineData("keygen --bogus")]
    public void Bad_arguments_print_usage(string args)
    {
        var output = new StringWriter();
        Assert.Equal(2, KeyTool.Run(args.Split(' '), output));
        Assert.Contains("usage:", output.ToString());
    }
}
