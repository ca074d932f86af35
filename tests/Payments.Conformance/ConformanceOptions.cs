using System.Globalization;

namespace Payments.Conformance;

public enum SecurityMode { None, Pgp, Jwe }

/// <summary>The command line of the conformance check (see <see cref="Usage"/>).</summary>
public sealed record ConformanceOptions
{
    public const string Usage = """
        usage: --base-url URL --account PIAID --security pgp|jwe|none [key options] [--internal-key K] [--function-key K]
                               [--currency USD] [--run-id ID] [--timeout-seconds 30]
          --keys DIR              a directory holding the key files below under these names:
                                    pgp: google-secret.asc, integrator-public.asc [, stranger-secret.asc]
                                    jwe: google-private.pem, integrator-public.pem [, stranger-private.pem]
          --google-key FILE       Google's test key(s), private: signs the requests, opens the answers
          --google-passphrase K   passphrase of a protected PGP Google key
          --integrator-key FILE   the integrator's public key(s): requests are encrypted to them, answers verified
          --stranger-key FILE     a private key Google does not know, for the wrong-signing-key probes (made fresh when absent)
          --internal-key K        the store-payment route's x-internal-key: without it the checks that need a paid
                                  reference number are skipped
          --function-key K        the Azure Functions key of the internal routes (x-functions-key), if the endpoint needs one
        A value written env:NAME is read from the environment variable NAME (keeps keys out of the shell history).
        Exit code: 0 every check passed (some may be skipped), 1 a check failed, 2 usage or key error.
        """;

    public required Uri BaseUrl { get; init; }
    public required string Account { get; init; }
    public required SecurityMode Security { get; init; }
    public string? GoogleKeyFile { get; init; }
    public string? GooglePassphrase { get; init; }
    public string? IntegratorKeyFile { get; init; }
    public string? StrangerKeyFile { get; init; }
    public string? InternalKey { get; init; }
    public string? FunctionKey { get; init; }
    public string Currency { get; init; } = "USD";
    /// <summary>Prefix of every requestId of this run, so runs never share one.</summary>
    public string RunId { get; init; } = NewRunId();
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    private static string NewRunId() => "CF" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();

    /// <exception cref="ArgumentException">the command line is not usable (the message says why)</exception>
    public static ConformanceOptions Parse(IReadOnlyList<string> args)
    {
        string? baseUrl = null, account = null, security = null, keys = null, google = null, passphrase = null, integrator = null,
            stranger = null, internalKey = null, functionKey = null, currency = null, runId = null;
        double timeout = 30;
        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--base-url": baseUrl = Next(); break;
                case "--account": account = Next(); break;
                case "--security": security = Next(); break;
                case "--keys": keys = Next(); break;
                case "--google-key": google = Next(); break;
                case "--google-passphrase": passphrase = FromEnvironment(Next()); break;
                case "--integrator-key": integrator = Next(); break;
                case "--stranger-key": stranger = Next(); break;
                case "--internal-key": internalKey = FromEnvironment(Next()); break;
                case "--function-key": functionKey = FromEnvironment(Next()); break;
                case "--currency": currency = Next(); break;
                case "--run-id": runId = Next(); break;
                case "--timeout-seconds": timeout = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }
        if (baseUrl is null || !Uri.TryCreate(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/", UriKind.Absolute, out var url))
            throw new ArgumentException("--base-url must be an absolute URL");
        if (string.IsNullOrWhiteSpace(account)) throw new ArgumentException("--account is required");
        if (!Enum.TryParse<SecurityMode>(security, ignoreCase: true, out var mode)) throw new ArgumentException("--security must be pgp, jwe or none");
        if (runId is not null && (runId.Length > 40 || !runId.All(char.IsAsciiLetterOrDigit))) throw new ArgumentException("--run-id: at most 40 letters or digits");
        var (googleName, integratorName, strangerName) = mode == SecurityMode.Pgp
            ? ("google-secret.asc", "integrator-public.asc", "stranger-secret.asc")
            : ("google-private.pem", "integrator-public.pem", "stranger-private.pem");
        string? InDir(string name) => keys is null ? null : Path.Combine(keys, name);
        var options = new ConformanceOptions
        {
            BaseUrl = url,
            Account = account,
            Security = mode,
            GoogleKeyFile = google ?? InDir(googleName),
            GooglePassphrase = passphrase,
            IntegratorKeyFile = integrator ?? InDir(integratorName),
            StrangerKeyFile = stranger ?? (InDir(strangerName) is { } s && File.Exists(s) ? s : null),
            InternalKey = internalKey,
            FunctionKey = functionKey,
            Currency = currency ?? "USD",
            Timeout = TimeSpan.FromSeconds(timeout),
        };
        if (runId is not null) options = options with { RunId = runId };
        if (mode != SecurityMode.None && (options.GoogleKeyFile is null || options.IntegratorKeyFile is null))
            throw new ArgumentException($"--security {mode.ToString().ToLowerInvariant()} needs Google's private key and the integrator's public key (--keys DIR, or --google-key and --integrator-key)");
        return options;
    }

    private static string FromEnvironment(string value) =>
        value.StartsWith("env:", StringComparison.Ordinal)
            ? Environment.GetEnvironmentVariable(value[4..]) ?? throw new ArgumentException($"environment variable {value[4..]} is not set")
            : value;
}
