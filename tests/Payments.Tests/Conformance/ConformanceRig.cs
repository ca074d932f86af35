using Payments.Core.Security.Pgp;
using Payments.Core.Security.Jwe;
using System.Security.Cryptography;
using Payments.Conformance;
using Payments.Core.Hosting;
using Payments.Core.Security;
using Payments.StandIns.Google;
using Payments.Tests.EndToEnd;
using Xunit.Abstractions;

namespace Payments.Tests.Conformance;

/// <summary>
/// The local host in one security mode with fresh keys, the Google stand-in its notifications go to, and a key
/// directory laid out as the conformance command reads it (<c>--keys DIR</c>): what an operator gets from Google
/// (its test private key) and from the integrator (its public key).
/// </summary>
public sealed class ConformanceRig : IAsyncDisposable
{
    private readonly DirectoryInfo _keys;
    private ConformanceRig(LocalHostUnderTest host, GoogleStandIn google, DirectoryInfo keys, SecurityMode mode)
    {
        Host = host;
        Google = google;
        _keys = keys;
        Mode = mode;
    }

    public LocalHostUnderTest Host { get; }
    public GoogleStandIn Google { get; }
    public SecurityMode Mode { get; }
    public string KeyDirectory => _keys.FullName;

    /// <param name="trustedStranger">a private key (of the mode) whose public half the host wrongly trusts as Google's</param>
    public static async Task<ConformanceRig> StartAsync(SecurityMode mode, string? trustedStrangerPublic = null)
    {
        var keys = Directory.CreateTempSubdirectory("conformance-test-keys-");
        var settings = new Dictionary<string, string?> { ["Security:Mode"] = mode.ToString() };
        IMessageEnvelope googleSide = new PlainJsonEnvelope();
        switch (mode)
        {
            case SecurityMode.Pgp:
            {
                var ours = KeyTool.GeneratePgp("Integrator <conformance@integrator.test>", null, DateTime.UtcNow, TimeSpan.FromDays(30), 2048);
                var google = KeyTool.GeneratePgp("Google <conformance@google.test>", null, DateTime.UtcNow, TimeSpan.FromDays(30), 2048);
                settings["Security:Pgp:IntegratorPrivateKeys"] = ours.Secret;
                settings["Security:Pgp:GooglePublicKeys"] = google.Public + (trustedStrangerPublic is null ? "" : "\n" + trustedStrangerPublic);
                File.WriteAllText(Path.Combine(keys.FullName, "google-secret.asc"), google.Secret);
                File.WriteAllText(Path.Combine(keys.FullName, "integrator-public.asc"), ours.Public);
                googleSide = new PgpEnvelope(google.Secret, null, ours.Public);
                break;
            }
            case SecurityMode.Jwe:
            {
                using var ours = RSA.Create(2048);
                using var google = RSA.Create(2048);
                settings["Security:Jwe:IntegratorPrivateKeys"] = ours.ExportPkcs8PrivateKeyPem();
                settings["Security:Jwe:GooglePublicKeys"] = google.ExportSubjectPublicKeyInfoPem() + (trustedStrangerPublic is null ? "" : "\n" + trustedStrangerPublic);
                File.WriteAllText(Path.Combine(keys.FullName, "google-private.pem"), google.ExportPkcs8PrivateKeyPem());
                File.WriteAllText(Path.Combine(keys.FullName, "integrator-public.pem"), ours.ExportSubjectPublicKeyInfoPem());
                googleSide = new JweEnvelope(google.ExportPkcs8PrivateKeyPem(), ours.ExportSubjectPublicKeyInfoPem());
                break;
            }
        }
        var standIn = await GoogleStandIn.StartAsync(googleSide);
        var host = await LocalHostUnderTest.StartAsync(settings: settings, google: standIn);
        return new ConformanceRig(host, standIn, keys, mode);
    }

    /// <summary>Runs the command against <paramref name="baseUrl"/> (the host when null); returns its exit code and output.</summary>
    public async Task<(int ExitCode, string Output)> RunAsync(ITestOutputHelper log, Uri? baseUrl = null, bool internalKey = true)
    {
        List<string> args = ["--base-url", (baseUrl ?? Host.BaseAddress).ToString(), "--account", LocalHostUnderTest.Accounts[0], "--security", Mode.ToString().ToLowerInvariant()];
        if (Mode != SecurityMode.None) args.AddRange(["--keys", KeyDirectory]);
        if (internalKey) args.AddRange(["--internal-key", LocalHostUnderTest.InternalKey]);
        var output = new StringWriter();
        var exitCode = await ConformanceCommand.RunAsync(args, output);
        log.WriteLine(output.ToString());
        return (exitCode, output.ToString());
    }

    public static IReadOnlyList<string> Lines(string output, string outcome) =>
        output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith(outcome + " ", StringComparison.Ordinal)).ToList();

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Google.DisposeAsync();
        _keys.Delete(recursive: true);
    }
}
