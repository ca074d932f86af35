using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using Payments.Core.Configuration;
using Payments.Core.Hosting;
using Payments.Core.Security;
using Microsoft.Extensions.Time.Testing;
using Payments.Tests.TestSupport;
using Payments.Core.Security.Jwe;
using Payments.Core.Security.Pgp;

namespace Payments.Tests.Security;

/// <summary>Keys made with the key tool's generator (fast; gpg interop of those keys is in KeyToolTests); 2048 bits,
/// as no test here is about the size.</summary>
public sealed class ToolKeysFixture
{
    public const string Passphrase = "correct horse";
    public (string Secret, string Public) Ours { get; } = KeyTool.GeneratePgp("Integrator <ops@integrator.test>", Passphrase, DateTime.UtcNow, TimeSpan.FromDays(365), bits: 2048);
    public (string Secret, string Public) Google { get; } = KeyTool.GeneratePgp("Google <google@google.test>", null, DateTime.UtcNow, TimeSpan.FromDays(365), bits: 2048);
    public (string Secret, string Public) Expired { get; } = KeyTool.GeneratePgp("Old <old@test>", null, DateTime.UtcNow.AddDays(-400), TimeSpan.FromDays(365), bits: 2048);
}

[Trait("Category", Category.Unit)]
public sealed class SecurityConfigurationTests(ToolKeysFixture keys) : IClassFixture<ToolKeysFixture>
{
    private static IConfiguration Config(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private IConfiguration PgpConfig(string? ours = null, string? passphrase = ToolKeysFixture.Passphrase, string? google = null) => Config(
        ("Security:Mode", "Pgp"),
        ("Security:Pgp:IntegratorPrivateKeys", ours ?? keys.Ours.Secret),
        ("Security:Pgp:Passphrase", passphrase),
        ("Security:Pgp:GooglePublicKeys", google ?? keys.Google.Public));

    /// <summary>The envelope as the app builds it: the bound, validated options in <paramref name="environment"/>.</summary>
    private static IMessageEnvelope Create(IConfiguration configuration, string environment = "Production")
    {
        var services = new ServiceCollection().AddSingleton(configuration)
            .AddSingleton<IHostEnvironment>(new HostingEnvironment { EnvironmentName = environment });
        services.AddSettings<SecurityOptions>(SecurityOptions.Section);
        services.AddSingleton<IValidateOptions<SecurityOptions>, SecurityOptionsValidator>();
        using var sp = services.BuildServiceProvider();
        return MessageEnvelopeFactory.Create(sp.GetRequiredService<IOptions<SecurityOptions>>().Value, TimeProvider.System);
    }

    private static Exception Refused(IConfiguration configuration, string setting, string? secret = null, string environment = "Production")
    {
        var e = Assert.ThrowsAny<Exception>(() => Create(configuration, environment));
        Assert.Contains(setting, e.Message);
        if (e is SecurityConfigurationException s) Assert.Equal(setting, s.Setting);
        else Assert.IsType<OptionsValidationException>(e);
        Assert.Null(e.InnerException);
        if (secret is not null)
        {
            // No line of the key material (nor any 12-character piece of it) appears in the message.
            foreach (var line in secret.Split('\n').Select(l => l.Trim()).Where(l => l.Length >= 12 && !l.StartsWith("-----", StringComparison.Ordinal)))
                for (int i = 0; i + 12 <= line.Length; i += 6)
                    Assert.DoesNotContain(line.Substring(i, 12), e.Message);
        }
        return e;
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public void None_is_refused_outside_development(string environment)
    {
        var e = Refused(Config(("Security:Mode", "None")), "Security__Mode", environment: environment);
        Assert.Contains("Development", e.Message);
    }

    [Fact]
    public void None_is_allowed_in_development() =>
        Assert.IsType<PlainJsonEnvelope>(Create(Config(("Security:Mode", "None")), "Development"));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Plain")]
    public void Missing_or_unknown_mode_is_refused(string? mode) => Refused(Config(("Security:Mode", mode)), "Security__Mode");

    [Fact]
    public void Pgp_mode_builds_a_working_envelope()
    {
        var ours = Create(PgpConfig());
        Assert.IsType<PgpEnvelope>(ours);
        var google = new PgpEnvelope(keys.Google.Secret, null, keys.Ours.Public);
        var json = Encoding.UTF8.GetBytes("{\"a\":1}");
        Assert.Equal(json, google.Open(ours.Seal(json)));
        Assert.Equal(json, ours.Open(google.Seal(json)));
    }

    [Fact]
    public void Malformed_private_key_names_the_setting_without_key_material()
    {
        var lines = keys.Ours.Secret.Split('\n');
        int middle = lines.Length / 2;
        lines[middle] = new string(lines[middle].Reverse().ToArray());
        lines[middle + 1] = "!!" + lines[middle + 1][2..];
        var corrupted = string.Join('\n', lines);
        Refused(PgpConfig(ours: corrupted), "Security__Pgp__IntegratorPrivateKeys", corrupted);
        Refused(PgpConfig(ours: "not a key at all"), "Security__Pgp__IntegratorPrivateKeys", "not a key at all");
        Refused(PgpConfig(ours: keys.Google.Public), "Security__Pgp__IntegratorPrivateKeys", keys.Google.Public);
    }

    [Fact]
    public void Missing_settings_are_named()
    {
        Refused(Config(("Security:Mode", "Pgp"), ("Security:Pgp:GooglePublicKeys", keys.Google.Public)), "Security__Pgp__IntegratorPrivateKeys");
        Refused(Config(("Security:Mode", "Pgp"), ("Security:Pgp:IntegratorPrivateKeys", keys.Ours.Secret), ("Security:Pgp:Passphrase", ToolKeysFixture.Passphrase)), "Security__Pgp__GooglePublicKeys");
        Refused(Config(("Security:Mode", "Jwe")), "Security__Jwe__IntegratorPrivateKeys");
    }

    [Fact]
    public void Wrong_passphrase_names_the_passphrase_setting()
    {
        var e = Refused(PgpConfig(passphrase: "wrong"), "Security__Pgp__Passphrase", keys.Ours.Secret);
        Assert.DoesNotContain(ToolKeysFixture.Passphrase, e.Message);
        Refused(PgpConfig(passphrase: null), "Security__Pgp__Passphrase", keys.Ours.Secret);
    }

    [Fact]
    public void Expired_keys_are_refused_at_start_up()
    {
        Refused(PgpConfig(ours: keys.Expired.Secret, passphrase: null), "Security__Pgp__IntegratorPrivateKeys", keys.Expired.Secret);
        Refused(PgpConfig(google: keys.Expired.Public), "Security__Pgp__GooglePublicKeys", keys.Expired.Public);
        // An expired key next to an active one is fine (rotation).
        Assert.IsType<PgpEnvelope>(Create(PgpConfig(google: keys.Expired.Public + keys.Google.Public)));
    }

    [Fact]
    public void Keys_expire_while_running()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var ours = new PgpEnvelope(keys.Ours.Secret, ToolKeysFixture.Passphrase, keys.Google.Public, clock);
        var google = new PgpEnvelope(keys.Google.Secret, null, keys.Ours.Public);
        var request = google.Seal("{}"u8);
        Assert.Equal("{}"u8.ToArray(), ours.Open(request));
        clock.Advance(TimeSpan.FromDays(366));
        Assert.Equal(EnvelopeFailure.InvalidEncryption, PgpEnvelopeInteropTests.Failure(() => ours.Open(request)));
        Assert.Throws<InvalidOperationException>(() => ours.Seal("{}"u8));
    }

    [Fact]
    public void Jwe_key_problems_name_the_setting_without_key_material()
    {
        using var rsa = TestKeys.NewRsa(2048);
        using var small = RSA.Create(1024);
        string priv = rsa.ExportPkcs8PrivateKeyPem(), pub = rsa.ExportSubjectPublicKeyInfoPem();
        IConfiguration Jwe(string? ours, string? google) => Config(("Security:Mode", "Jwe"),
            ("Security:Jwe:IntegratorPrivateKeys", ours), ("Security:Jwe:GooglePublicKeys", google));

        Assert.IsType<JweEnvelope>(Create(Jwe(priv, pub)));
        var corrupted = priv[..100] + "@@@@" + priv[104..];
        Refused(Jwe(corrupted, pub), "Security__Jwe__IntegratorPrivateKeys", corrupted);
        var truncated = priv.Replace(priv.Split('\n')[3], "");
        Refused(Jwe(truncated, pub), "Security__Jwe__IntegratorPrivateKeys", truncated);
        Refused(Jwe(pub, pub), "Security__Jwe__IntegratorPrivateKeys");
        Refused(Jwe(small.ExportPkcs8PrivateKeyPem(), pub), "Security__Jwe__IntegratorPrivateKeys", small.ExportPkcs8PrivateKeyPem());
        Refused(Jwe(priv, "garbage"), "Security__Jwe__GooglePublicKeys");
        Refused(Jwe(priv, priv), "Security__Jwe__GooglePublicKeys", priv);
    }}
