using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Payments.Core.Storage;

namespace Payments.Benchmarks.Storage;

/// <summary>The baseline: the same storage requests hand-built on a bare HttpClient (same handler
/// settings as our clients), correctly signed, nothing else — no pipeline, no parsing beyond reading the body.</summary>
internal sealed class BareStorageClient : IDisposable
{
    private readonly HttpClient _table;
    private readonly HttpClient _queue;
    private readonly string _account;
    private readonly byte[] _key;
    private readonly Uri _tableBase;
    private readonly Uri _queueBase;

    public BareStorageClient(string account, string base64Key, Uri tableEndpoint, Uri queueEndpoint)
    {
        _account = account;
        _key = Convert.FromBase64String(base64Key);
        _tableBase = new Uri(tableEndpoint.ToString().TrimEnd('/') + "/");
        _queueBase = new Uri(queueEndpoint.ToString().TrimEnd('/') + "/");
        _table = NewClient();
        _queue = NewClient();
    }

    /// <summary>The SDK clients' connection settings, so that only the requests differ.</summary>
    private static HttpClient NewClient() =>
        new(StorageClients.CreateHandler(new StorageClientOptions()), disposeHandler: true) { Timeout = TimeSpan.FromSeconds(30) };

    public Uri TableBase => _tableBase;

    public static string EscapeKey(string key) => Uri.EscapeDataString(key.Replace("'", "''", StringComparison.Ordinal));

    public async Task<byte[]> GetEntityAsync(string table, string pk, string rk, CancellationToken ct)
    {
        using var request = TableRequest(HttpMethod.Get, $"{table}(PartitionKey='{EscapeKey(pk)}',RowKey='{EscapeKey(rk)}')", "application/json;odata=minimalmetadata");
        using var response = await _table.SendAsync(request, ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        Expect(response, HttpStatusCode.OK);
        return body;
    }

    public async Task InsertAsync(string table, byte[] json, CancellationToken ct)
    {
        using var request = TableRequest(HttpMethod.Post, table, "application/json;odata=nometadata");
        request.Headers.TryAddWithoutValidation("Prefer", "return-no-content");
        request.Content = new ByteArrayContent(json);
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        using var response = await _table.SendAsync(request, ct);
        await response.Content.ReadAsByteArrayAsync(ct);
        Expect(response, HttpStatusCode.NoContent);
    }

    public async Task BatchAsync(byte[] body, string boundary, CancellationToken ct)
    {
        using var request = TableRequest(HttpMethod.Post, "$batch", "application/json;odata=nometadata");
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "multipart/mixed; boundary=" + boundary);
        using var response = await _table.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        Expect(response, HttpStatusCode.Accepted);
        if (!text.Contains("HTTP/1.1 204", StringComparison.Ordinal)) throw new InvalidOperationException("batch failed: " + text);
    }

    public async Task PutMessageAsync(string queue, string base64Text, CancellationToken ct)
    {
        var body = Encoding.UTF8.GetBytes("<QueueMessage><MessageText>" + base64Text + "</MessageText></QueueMessage>");
        using var request = QueueRequest(HttpMethod.Post, queue + "/messages", null, body.Length);
        request.Content = new ByteArrayContent(body);
        using var response = await _queue.SendAsync(request, ct);
        await response.Content.ReadAsByteArrayAsync(ct);
        Expect(response, HttpStatusCode.Created);
    }

    public async Task<byte[]> GetMessagesAsync(string queue, int count, int visibilitySeconds, CancellationToken ct)
    {
        using var request = QueueRequest(HttpMethod.Get, queue + "/messages",
            $"numofmessages={count}&visibilitytimeout={visibilitySeconds}", 0);
        using var response = await _queue.SendAsync(request, ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        Expect(response, HttpStatusCode.OK);
        return body;
    }

    private HttpRequestMessage TableRequest(HttpMethod method, string relative, string accept)
    {
        var uri = new Uri(_tableBase, relative);
        var request = new HttpRequestMessage(method, uri);
        var date = DateTimeOffset.UtcNow.ToString("R", CultureInfo.InvariantCulture);
        var h = request.Headers;
        h.TryAddWithoutValidation("x-ms-date", date);
        h.TryAddWithoutValidation("x-ms-version", "2019-02-02");
        h.TryAddWithoutValidation("Accept", accept);
        h.TryAddWithoutValidation("DataServiceVersion", "3.0;NetFx");
        h.TryAddWithoutValidation("MaxDataServiceVersion", "3.0;NetFx");
        var signature = Sign(date + "\n/" + _account + uri.AbsolutePath);
        h.Authorization = new AuthenticationHeaderValue("SharedKeyLite", _account + ":" + signature);
        return request;
    }

    private HttpRequestMessage QueueRequest(HttpMethod method, string relative, string? query, int contentLength)
    {
        var uri = new Uri(_queueBase, query is null ? relative : relative + "?" + query);
        var request = new HttpRequestMessage(method, uri);
        var date = DateTimeOffset.UtcNow.ToString("R", CultureInfo.InvariantCulture);
        request.Headers.TryAddWithoutValidation("x-ms-date", date);
        request.Headers.TryAddWithoutValidation("x-ms-version", "2019-02-02");
        var sb = new StringBuilder();
        sb.Append(method.Method).Append("\n\n\n").Append(contentLength > 0 ? contentLength.ToString(CultureInfo.InvariantCulture) : "")
          .Append("\n\n\n\n\n\n\n\n\n")
          .Append("x-ms-date:").Append(date).Append('\n')
          .Append("x-ms-version:2019-02-02\n")
          .Append('/').Append(_account).Append(uri.AbsolutePath);
        if (query is not null)
        {
            foreach (var pair in query.Split('&').Select(p => p.Split('=', 2)).OrderBy(p => p[0], StringComparer.Ordinal))
            {
                sb.Append('\n').Append(pair[0]).Append(':').Append(Uri.UnescapeDataString(pair[1]));
            }
        }
        request.Headers.Authorization = new AuthenticationHeaderValue("SharedKey", _account + ":" + Sign(sb.ToString()));
        return request;
    }

    private string Sign(string stringToSign) => Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(stringToSign)));

    private static void Expect(HttpResponseMessage response, HttpStatusCode status)
    {
        if (response.StatusCode != status) throw new InvalidOperationException($"baseline request answered {(int)response.StatusCode}, expected {(int)status}");
    }

    public void Dispose()
    {
        _table.Dispose();
        _queue.Dispose();
    }
}
