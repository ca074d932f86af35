using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Payments.Core.Hosting;
using Payments.Core.Security;
using Payments.Core.Storage;
using Payments.StandIns.Azurite;
using Payments.StandIns.CrmCom;
using Payments.StandIns.Google;
using Payments.StandIns.Gsp;
using Payments.Core.Security.Pgp;

namespace Payments.StandIns.Chaos;

/// <summary>Settings of the host processes a <see cref="ChaosRig"/> starts.</summary>
public sealed record ChaosRigOptions
{
    public int RetryBaseMilliseconds { get; init; } = 100;
    public int MaxAttempts { get; init; } = 8;
    public int RelayGraceSeconds { get; init; } = 3;
    /// <summary>Finishing__MaxBacklog of the hosts (0: never shed load).</summary>
    public int MaxBacklog { get; init; }
    /// <summary>Host log level (Information in crash tests to check logs; Warning under load).</summary>
    public string LogLevel { get; init; } = "Information";
    public TimeSpan CrmTokenLifetime { get; init; } = TimeSpan.FromHours(2);
    /// <summary>false: the hosts talk to Azurite directly (a load run without storage faults measures no proxy hop).</summary>
    public bool ProxyStorage { get; init; } = true;
    /// <summary>true: the hosts run Security__Mode=Pgp with fresh RSA-3072 keys, and Google's side
    /// (<see cref="ChaosRig.GoogleEnvelope"/>, the Google stand-in) seals and opens as Google does.</summary>
    public bool Pgp { get; init; }
}

/// <summary>
/// Everything a crash or soak run needs, all on 127.0.0.1: its own Azurite (never the shared test instance:
/// our hosts' pumps would eat other tests' messages), a <see cref="TcpDelayProxy"/> in front of Azurite's table
/// endpoint and one in front of its queue endpoint, the Google and CRM.COM stand-ins, and out-of-process hosts
/// wired to them through the proxies. The audit reads Azurite directly (not through the proxies).
/// </summary>
public sealed class ChaosRig : IAsyncDisposable
{
    public static readonly string[] Accounts = ["InvisiCashUSA_USD", "SpeedyPaymentsIndia_INR", "InvisiCashIN_INR"];
    public const string InternalKey = "chaos-internal-key";

    private readonly List<LocalHostProcess> _hosts = [];

    private ChaosRig(ChaosRigOptions options, AzuriteProcess azurite, TcpDelayProxy tables, TcpDelayProxy queues, GoogleStandIn google, IMessageEnvelope googleEnvelope, CrmComStandIn crm, PgpKeys? keys)
    {
        Options = options;
        _keys = keys;
        GoogleEnvelope = googleEnvelope;
        Azurite = azurite;
        TableProxy = tables;
        QueueProxy = queues;
        Google = google;
        Crm = crm;
        var direct = StorageConnection.Parse(azurite.ConnectionString);
        Tables = StorageClients.CreateTableServiceClient(direct);
        Queues = StorageClients.CreateQueueServiceClient(direct);
    }

    public ChaosRigOptions Options { get; }
    /// <summary>How Google seals its requests to the hosts and opens their answers (plain JSON unless <see cref="ChaosRigOptions.Pgp"/>).</summary>
    public IMessageEnvelope GoogleEnvelope { get; }
    public AzuriteProcess Azurite { get; }
    public TcpDelayProxy TableProxy { get; }
    public TcpDelayProxy QueueProxy { get; }
    public GoogleStandIn Google { get; }
    public CrmComStandIn Crm { get; }
    /// <summary>Direct clients (not through the proxies), for audits and for injecting messages.</summary>
    public Azure.Data.Tables.TableServiceClient Tables { get; }
    public Azure.Storage.Queues.QueueServiceClient Queues { get; }
    public IReadOnlyList<LocalHostProcess> Hosts => _hosts;

    public static async Task<ChaosRig> StartAsync(ChaosRigOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ChaosRigOptions();
        var azurite = await AzuriteProcess.StartAsync(cancellationToken).ConfigureAwait(false);
        var tables = TcpDelayProxy.Start(azurite.TablePort);
        var queues = TcpDelayProxy.Start(azurite.QueuePort);
        PgpKeys? keys = null;
        IMessageEnvelope googleSide = new PlainJsonEnvelope();
        if (options.Pgp)
        {
            var ours = KeyTool.GeneratePgp("Integrator <chaos@integrator.test>", null, DateTime.UtcNow, TimeSpan.FromDays(30));
            var google = KeyTool.GeneratePgp("Google <chaos@google.test>", null, DateTime.UtcNow, TimeSpan.FromDays(30));
            keys = new PgpKeys(ours.Secret, ours.Public, google.Secret, google.Public);
            googleSide = new PgpEnvelope(keys.GoogleSecret, null, keys.IntegratorPublic);
        }
        var googleStandIn = await GoogleStandIn.StartAsync(googleSide, cancellationToken: cancellationToken).ConfigureAwait(false);
        var crm = await CrmComStandIn.StartAsync(new CrmComStandInOptions { TokenLifetime = options.CrmTokenLifetime }, cancellationToken).ConfigureAwait(false);
        return new ChaosRig(options, azurite, tables, queues, googleStandIn, googleSide, crm, keys);
    }

    /// <summary>The storage connection string the hosts get: tables and queues through the proxies.</summary>
    public string ProxiedConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AzuriteProcess.AccountName};AccountKey={AzuriteProcess.AccountKey};" +
        $"QueueEndpoint={QueueProxy.Rewrite(Azurite.QueueEndpoint)};TableEndpoint={TableProxy.Rewrite(Azurite.TableEndpoint)};";

    private sealed record PgpKeys(string IntegratorSecret, string IntegratorPublic, string GoogleSecret, string GooglePublic);
    private readonly PgpKeys? _keys;

    public Dictionary<string, string> HostEnvironment()
    {
        var environment = PlainHostEnvironment();
        if (_keys is not null)
        {
            environment[Env("Security:Mode")] = "Pgp";
            environment[Env("Security:Pgp:IntegratorPrivateKeys")] = _keys.IntegratorSecret;
            environment[Env("Security:Pgp:GooglePublicKeys")] = _keys.GooglePublic;
        }
        return environment;
    }

    private Dictionary<string, string> PlainHostEnvironment() => new()
    {
        [Env("PaymentsStorage")] = Options.ProxyStorage ? ProxiedConnectionString : Azurite.ConnectionString,
        [Env("Payments:AccountIds")] = string.Join(",", Accounts),
        [Env("Security:Mode")] = "None",
        ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
        [Env("Google:BaseUrl")] = Google.BaseUrl.ToString(),
        [Env("BackOffice:Provider")] = "CrmCom",
        [Env("BackOffice:CrmCom:BaseUrl")] = Crm.BaseUrl.ToString(),
        [Env("BackOffice:CrmCom:Username")] = Crm.Options.Username,
        [Env("BackOffice:CrmCom:Password")] = Crm.Options.Password,
        [Env("BackOffice:CrmCom:Organisation")] = Crm.Options.Organisation,
        [Env("BackOffice:CrmCom:PaymentCancellationType")] = Crm.Options.PaymentCancellationType,
        [Env("BackOffice:CrmCom:RefundType")] = Crm.Options.RefundType,
        [Env("Internal:ApiKey")] = InternalKey,
        [Env("Finishing:RetryBaseMilliseconds")] = Options.RetryBaseMilliseconds.ToString(CultureInfo.InvariantCulture),
        [Env("Finishing:MaxAttempts")] = Options.MaxAttempts.ToString(CultureInfo.InvariantCulture),
        [Env("Finishing:RelayGraceSeconds")] = Options.RelayGraceSeconds.ToString(CultureInfo.InvariantCulture),
        [Env(LocalRelaySchedule.Setting)] = LocalRelaySchedule.ForGrace(Options.RelayGraceSeconds),
        [Env("Finishing:MaxBacklog")] = Options.MaxBacklog.ToString(CultureInfo.InvariantCulture),
        ["Logging__LogLevel__Default"] = Options.LogLevel,
        ["Logging__LogLevel__Microsoft"] = "Warning",
        ["Logging__LogLevel__System.Net.Http"] = "Warning",
    };

    private static string Env(string setting) => setting.Replace(":", "__", StringComparison.Ordinal);

    public async Task<LocalHostProcess> StartHostAsync(string name = "host", CancellationToken cancellationToken = default)
    {
        var host = await LocalHostProcess.StartAsync(HostEnvironment(), name, cancellationToken: cancellationToken).ConfigureAwait(false);
        lock (_hosts) _hosts.Add(host);
        return host;
    }

    /// <summary>Every line any host process wrote that holds a secret: the CRM.COM password, a CRM.COM token, the storage key.</summary>
    public IReadOnlyList<string> LinesWithSecrets()
    {
        // The storage key too (Azurite's is public, but a line holding it would hold a real one in Azure).
        var secrets = Crm.IssuedTokens.Append(Crm.Options.Password).Append(AzuriteProcess.AccountKey).Where(s => s.Length >= 8).ToList();
        // A token may be cut in a log line; its signature part alone is still a secret.
        secrets.AddRange(Crm.IssuedTokens.Select(t => t.Split('.').Last()).Where(s => s.Length >= 16));
        List<LocalHostProcess> hosts;
        lock (_hosts) hosts = [.. _hosts];
        return hosts.SelectMany(h => h.Output).Where(line => secrets.Any(s => line.Contains(s, StringComparison.Ordinal))).ToList();
    }

    /// <summary>Every line the host processes wrote so far.</summary>
    public IReadOnlyList<string> HostLines()
    {
        List<LocalHostProcess> hosts;
        lock (_hosts) hosts = [.. _hosts];
        return hosts.SelectMany(h => h.Output).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        List<LocalHostProcess> hosts;
        lock (_hosts) hosts = [.. _hosts];
        foreach (var host in hosts) await host.DisposeAsync().ConfigureAwait(false);
        await TableProxy.DisposeAsync().ConfigureAwait(false);
        await QueueProxy.DisposeAsync().ConfigureAwait(false);
        await Google.DisposeAsync().ConfigureAwait(false);
        await Crm.DisposeAsync().ConfigureAwait(false);
        await Azurite.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>A plain HTTP client of one host base address, as Google (protocol routes) and the store systems (internal routes) call it.</summary>
public sealed class GspClient(Uri baseAddress, IMessageEnvelope? envelope = null, TimeSpan? timeout = null) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
    {
        BaseAddress = baseAddress,
        Timeout = timeout ?? TimeSpan.FromSeconds(30),
    };
    private readonly IMessageEnvelope _envelope = envelope ?? new PlainJsonEnvelope();

    /// <returns>status (0 = transport error) and the opened body ("" when none).</returns>
    public async Task<(int Status, string Body)> PostAsync(string route, string json, CancellationToken cancellationToken = default)
    {
        try
        {
            using var content = GspRequests.Sealed(json, _envelope);
            using var response = await _http.PostAsync(route.TrimStart('/'), content, cancellationToken).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            string body;
            try { body = bytes.Length == 0 ? "" : Encoding.UTF8.GetString(_envelope.Open(bytes)); }
            catch (EnvelopeException) { body = Encoding.UTF8.GetString(bytes); }
            return ((int)response.StatusCode, body);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return (0, e.GetType().Name + ": " + e.Message);
        }
    }

    /// <summary>A store payment through the internal endpoint (plain JSON, function key).</summary>
    public async Task<(int Status, string Body)> PayAsync(string piaid, string referenceNumber, string transactionId, CancellationToken cancellationToken = default)
    {
        try
        {
            using var request = GspRequests.StorePaymentRequest(referenceNumber, transactionId, piaid, ChaosRig.InternalKey);
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return (0, e.GetType().Name + ": " + e.Message);
        }
    }

    public void Dispose() => _http.Dispose();
}
