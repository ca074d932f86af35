using Payments.Core.Protocol;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Payments.Core.Hosting;
using Payments.Tests.Functions;
using Microsoft.Extensions.Logging.Testing;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Security;

/// <summary>At start the app warns (event 90) about every configured key that expires within 30 days, ours
/// or Google's, PGP or a JWE certificate: Google wants keys to expire within a year, so one will.</summary>
public sealed class KeyExpiryWarningTests
{
    private const int KeyExpiresSoon = 90;

    [Trait("Category", Category.Interop)]
    [Fact]
    public async Task A_pgp_key_of_ours_expiring_in_10_days_is_logged_at_start_and_one_of_60_days_is_not()
    {
        using var gpg = new Gpg();
        var ours = gpg.GenerateKey("Ours <ours@example.com>", "rsa2048", "sign", "10d");
        gpg.AddSubkey(ours, "rsa2048", "encr", "10d");
        var google = gpg.GenerateKey("Google <google@example.com>", "rsa2048", "sign", "60d");
        gpg.AddSubkey(google, "rsa2048", "encr", "60d");
        var warnings = await StartAsync(new()
        {
            ["Security:Mode"] = "Pgp",
            ["Security:Pgp:IntegratorPrivateKeys"] = gpg.ExportSecret(ours),
            ["Security:Pgp:Passphrase"] = "",
            ["Security:Pgp:GooglePublicKeys"] = gpg.ExportPublic(google),
        });
        // Our primary key and its subkey, each named by setting and key id; Google's 60-day keys not at all.
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.Contains("Security:Pgp:IntegratorPrivateKeys", w.Message));
        Assert.Contains(warnings, w => w.Message.Contains(ours[^16..], StringComparison.OrdinalIgnoreCase));
        Assert.All(warnings, w => Assert.Equal(LogLevel.Warning, w.Level));
    }

    [Trait("Category", Category.Unit)]
    [Fact]
    public async Task A_jwe_certificate_of_google_expiring_in_10_days_is_logged_at_start()
    {
        using var ours = TestKeys.NewRsa(2048);
        using var google = TestKeys.NewRsa(2048, 1);
        var request = new CertificateRequest("CN=google-test", google, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(10));
        var warnings = await StartAsync(new()
        {
            ["Security:Mode"] = "Jwe",
            ["Security:Jwe:IntegratorPrivateKeys"] = ours.ExportPkcs8PrivateKeyPem(),
            ["Security:Jwe:GooglePublicKeys"] = certificate.ExportCertificatePem(),
        });
        var warning = Assert.Single(warnings);
        Assert.Contains("Security:Jwe:GooglePublicKeys", warning.Message);
        Assert.Equal(LogLevel.Warning, warning.Level);
    }

    /// <summary>Builds the Worker's container with these settings and starts the app's hosted service the way
    /// the host does (the Worker's own, which need the Functions host's gRPC channel, left aside); the key-expiry
    /// warnings logged.</summary>
    private static async Task<List<(LogLevel Level, string Message)>> StartAsync(Dictionary<string, string?> settings)
    {
        var logs = new FakeLoggerProvider();
        settings["PaymentsStorage"] = "UseDevelopmentStorage=true";
        var registered = new List<ServiceDescriptor>();
        using var app = WorkerAppTests.BuildWorkerApp(settings, builder =>
        {
            builder.Logging.AddProvider(logs);
            registered.AddRange(builder.Services);
        });
        var hosted = registered.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Assembly == typeof(PaymentsOptions).Assembly).ToList();
        Assert.Equal(typeof(Payments.Core.Security.KeyExpiryWarning), Assert.Single(hosted).ImplementationType);
        await ((IHostedService)ActivatorUtilities.CreateInstance(app.Services, hosted[0].ImplementationType!)).StartAsync(CancellationToken.None);
        return logs.Collector.GetSnapshot().Where(e => e.Id.Id == KeyExpiresSoon).Select(e => (e.Level, e.Message)).ToList();
    }
}
