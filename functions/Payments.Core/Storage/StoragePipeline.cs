using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Payments.Core.Storage;

internal enum StorageService { Table, Queue }

/// <summary>Builds the Azure.Core pipeline shared by every client of one service client:
/// retry (exponential, 408/429/500/503 and transport errors; per-try network timeout) → per try:
/// metrics, auth (SharedKey signed with a fresh x-ms-date on each try, or a bearer token) → one pooled
/// SocketsHttpHandler. Responses are not buffered by the pipeline: the clients read each body once into a
/// pooled buffer (<see cref="ResponseBody"/>). Logging, distributed tracing and the telemetry User-Agent are
/// off; the proxy is not used (storage is reached directly, in Azure and locally).</summary>
internal static class StoragePipeline
{
    internal const string TokenScope = "https://storage.azure.com/.default";

    internal static HttpPipeline Build(StorageService service, StorageConnection connection, StorageClientOptions options, MetricsPolicy metrics, HttpPipelineTransport? transport = null) =>
        Build(service, connection, options, metrics, transport, out _);

    internal static HttpPipeline Build(StorageService service, StorageConnection connection, StorageClientOptions options, MetricsPolicy metrics, HttpPipelineTransport? transport, out SharedKeyPolicyBase? sharedKey)
    {
        sharedKey = null;
        var clientOptions = new StorageAzureClientOptions();
        clientOptions.Diagnostics.IsLoggingEnabled = false;
        clientOptions.Diagnostics.IsDistributedTracingEnabled = false;
        clientOptions.Diagnostics.IsTelemetryEnabled = false;
        clientOptions.Diagnostics.IsLoggingContentEnabled = false;
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.MaxRetries = Math.Max(0, options.MaxRetries);
        clientOptions.Retry.Delay = options.RetryDelay;
        clientOptions.Retry.MaxDelay = options.MaxRetryDelay < options.RetryDelay ? options.RetryDelay : options.MaxRetryDelay;
        clientOptions.Retry.NetworkTimeout = options.NetworkTimeout;
        clientOptions.Transport = transport ?? CreateTransport(options);

        HttpPipelinePolicy auth;
        if (connection.AccountKey is { } key)
        {
            var account = connection.AccountName ?? throw new ArgumentException("StorageConnection: an AccountKey needs an AccountName.");
            auth = sharedKey = new TableSharedKeyLitePolicy(account, key);
        }
        else if (connection.Credential is { } credential)
        {
            auth = new BearerTokenAuthenticationPolicy(credential, TokenScope);
        }
        else
        {
            throw new ArgumentException("StorageConnection has neither an account key nor a credential.");
        }

        return HttpPipelineBuilder.Build(
            clientOptions,
            perCallPolicies: [],
            perRetryPolicies: [metrics, StripClientRequestIdPolicy.Instance, auth],
            responseClassifier: StorageResponseClassifier.Instance);
    }

    internal static HttpPipelineTransport CreateTransport(StorageClientOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(2, options.MaxConnectionsPerServer),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
            AllowAutoRedirect = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            EnableMultipleHttp2Connections = true,
        };
        // The per-try timeout is Azure.Core's NetworkTimeout; the HttpClient's own must not cut in first.
        var client = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        return new HttpClientTransport(client);
    }

    private sealed class StorageAzureClientOptions : ClientOptions
    {
    }
}

/// <summary>Retries 408, 429, 500 and 503 (and, via the base class, transport errors and network
/// time-outs). Never 409/412 or any other 4xx: those are answers, not accidents.</summary>
/// <remarks>A retried non-idempotent request (insert, batch) may have succeeded on the try that timed out;
/// its retry then fails with 409 EntityAlreadyExists. Callers treat 409 on insert as "exists" and re-read.</remarks>
internal sealed class StorageResponseClassifier : ResponseClassifier
{
    internal static readonly StorageResponseClassifier Instance = new();

    public override bool IsRetriableResponse(HttpMessage message) =>
        message.Response.Status is 408 or 429 or 500 or 503;

    public override bool IsErrorResponse(HttpMessage message) => message.Response.Status >= 400;
}

/// <summary>Counts every HTTP request sent (per try, so retries count): globally in
/// <see cref="StorageMetrics"/> and per pipeline (one service client) in <see cref="Sent"/>.</summary>
internal sealed class MetricsPolicy(StorageService service) : HttpPipelineSynchronousPolicy
{
    private long _sent;
    internal long Sent => Interlocked.Read(ref _sent);

    public override void OnSendingRequest(HttpMessage message)
    {
        Interlocked.Increment(ref _sent);
        if (service == StorageService.Table) Interlocked.Increment(ref StorageMetrics._table);
        else Interlocked.Increment(ref StorageMetrics._queue);
        if (StorageMetrics.Current is not null) message.SetProperty(typeof(MetricsPolicy), System.Diagnostics.Stopwatch.GetTimestamp());
    }

    public override void OnReceivedResponse(HttpMessage message)
    {
        if (StorageMetrics.Current is { } scope && message.TryGetProperty(typeof(MetricsPolicy), out var started) && started is long start)
            scope.Add(System.Diagnostics.Stopwatch.GetTimestamp() - start);
    }
}

/// <summary>Azure.Core's pipeline always adds <c>x-ms-client-request-id</c> and asks the service to echo it;
/// with client logging off nothing reads it (the service's own <c>x-ms-request-id</c> identifies a request),
/// so it is dropped: less to send, sign and echo on every storage call.</summary>
internal sealed class StripClientRequestIdPolicy : HttpPipelineSynchronousPolicy
{
    internal static readonly StripClientRequestIdPolicy Instance = new();

    public override void OnSendingRequest(HttpMessage message)
    {
        message.Request.Headers.Remove("x-ms-client-request-id");
        message.Request.Headers.Remove("x-ms-return-client-request-id");
    }
}

/// <summary>Shared pieces of the SharedKey policies: x-ms-date fresh per try, HMAC-SHA256, base64.</summary>
internal abstract class SharedKeyPolicyBase : HttpPipelineSynchronousPolicy
{
    private readonly byte[] _key;
    protected readonly string Account;
    private readonly string _scheme;
    // The signature must be recomputed per try with a fresh date; the RFC 1123 string is cached per second.
    private static DateText? _date;
    private sealed record DateText(long Second, string Text);

    protected SharedKeyPolicyBase(string account, string base64Key, string scheme)
    {
        Account = account;
        _scheme = scheme;
        _key = Convert.FromBase64String(base64Key);
    }

    /// <summary>For known-vector tests: the clock.</summary>
    internal Func<DateTimeOffset>? Clock { get; set; }

    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        var date = Clock is { } clock ? clock().ToString("R", CultureInfo.InvariantCulture) : CurrentDate();
        request.Headers.SetValue("x-ms-date", date);
        var stringToSign = StringToSign(request, date);
        request.Headers.SetValue("Authorization", _scheme + " " + Account + ":" + Sign(stringToSign));
    }

    internal abstract string StringToSign(Request request, string date);

    // One HMAC per thread and policy: the one-shot HMACSHA256.HashData sets up a fresh native context per
    // call, which costs more than the hashing itself.
    [ThreadStatic] private static Dictionary<SharedKeyPolicyBase, HMACSHA256>? _hmacs;

    internal string Sign(string stringToSign)
    {
        var max = Encoding.UTF8.GetMaxByteCount(stringToSign.Length);
        byte[]? rented = null;
        Span<byte> buffer = max <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var n = Encoding.UTF8.GetBytes(stringToSign, buffer);
            Span<byte> mac = stackalloc byte[32];
            var hmacs = _hmacs ??= new Dictionary<SharedKeyPolicyBase, HMACSHA256>(ReferenceEqualityComparer.Instance);
            if (!hmacs.TryGetValue(this, out var hmac))
            {
                if (hmacs.Count > 64) { foreach (var h in hmacs.Values) h.Dispose(); hmacs.Clear(); }
                hmacs[this] = hmac = new HMACSHA256(_key);
            }
            if (!hmac.TryComputeHash(buffer[..n], mac, out _)) throw new CryptographicException("HMAC failed.");
            return Convert.ToBase64String(mac);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static string CurrentDate()
    {
        var now = DateTimeOffset.UtcNow;
        var second = now.UtcTicks / TimeSpan.TicksPerSecond;
        var cached = Volatile.Read(ref _date);
        if (cached is not null && cached.Second == second) return cached.Text;
        var text = now.ToString("R", CultureInfo.InvariantCulture);
        Volatile.Write(ref _date, new DateText(second, text));
        return text;
    }
}

/// <summary>Table SharedKeyLite: <c>x-ms-date + "\n" + "/" + account + encoded path</c> (+ <c>?comp=</c> when present).
/// With Azurite's path-style URLs the path already starts with the account: <c>/devstoreaccount1/devstoreaccount1/Tables</c>.</summary>
internal sealed class TableSharedKeyLitePolicy(string account, string base64Key) : SharedKeyPolicyBase(account, base64Key, "SharedKeyLite")
{
    internal override string StringToSign(Request request, string date)
    {
        var path = request.Uri.Path;
        var comp = QueryValue(request.Uri.Query, "comp");
        return comp is null
            ? string.Concat(date, "\n/", Account, path)
            : string.Concat(date, "\n/", Account, path, "?comp=", comp);
    }

    private static string? QueryValue(string query, string name)
    {
        if (string.IsNullOrEmpty(query)) return null;
        foreach (var part in query.TrimStart('?').Split('&'))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? part : part[..eq];
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase)) return eq < 0 ? "" : Uri.UnescapeDataString(part[(eq + 1)..]);
        }
        return null;
    }
}
