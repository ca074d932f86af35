using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Payments.Core.Storage;

/// <summary>Entry point for tables: owns one pipeline and one pooled HTTP handler. Create it once per
/// process (a singleton) and share it; <see cref="GetTableClient"/> is cheap and its clients are thread-safe.</summary>
public sealed class TableServiceClient
{
    internal readonly HttpPipeline Pipeline;
    /// <summary>The SharedKey signer (null with a TokenCredential); tests fix its clock.</summary>
    internal readonly SharedKeyPolicyBase? SharedKeyPolicy;
    internal readonly MetricsPolicy Metrics = new(StorageService.Table);
    internal readonly StorageEndpoint Endpoint;
    /// <summary>Absolute endpoint without a trailing slash (used inside batch bodies).</summary>
    internal readonly string BaseUrl;

    public TableServiceClient(StorageConnection connection, StorageClientOptions? options = null)
        : this(connection, options, transport: null)
    {
    }

    /// <summary>For tests: a custom transport.</summary>
    internal TableServiceClient(StorageConnection connection, StorageClientOptions? options, HttpPipelineTransport? transport)
    {
        ArgumentNullException.ThrowIfNull(connection);
        options ??= new StorageClientOptions();
        var endpoint = connection.TableEndpoint;
        Endpoint = new StorageEndpoint(endpoint);
        BaseUrl = endpoint.GetLeftPart(UriPartial.Authority) + Endpoint.BasePath;
        Pipeline = StoragePipeline.Build(StorageService.Table, connection, options, Metrics, transport, out var sharedKey);
        SharedKeyPolicy = sharedKey;
    }

    /// <summary>HTTP requests this client has sent (retries included).</summary>
    public long RequestsSent => Metrics.Sent;

    public TableClient GetTableClient(string tableName)
    {
        ArgumentException.ThrowIfNullOrEmpty(tableName);
        if (tableName.Length is < 3 or > 63 || !char.IsAsciiLetter(tableName[0]) || !tableName.All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException($"Table name '{tableName}' is invalid: 3–63 letters and digits, starting with a letter.", nameof(tableName));
        }
        return new TableClient(this, tableName);
    }
}

public sealed class TableClient
{
    private static readonly RequestMethod Merge = new("MERGE");
    private const string JsonNoMetadata = "application/json;odata=nometadata";
    private const string JsonMinimalMetadata = "application/json;odata=minimalmetadata";
    internal const int MaxBatchOperations = 100;
    internal const int MaxBatchBytes = 4 * 1024 * 1024;

    private readonly TableServiceClient _service;
    private readonly string _tablePath;

    internal TableClient(TableServiceClient service, string name)
    {
        _service = service;
        Name = name;
        _tablePath = service.Endpoint.BasePath + "/" + name;
    }

    public string Name { get; }

    public async Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        var w = ScratchBuffer.Acquire();
        var json = w.Json();
        json.WriteStartObject();
        json.WriteString("TableName"u8, Name);
        json.WriteEndObject();
        json.Flush();
        using var message = CreateMessage(RequestMethod.Post, _service.Endpoint.BasePath + "/Tables", null, JsonNoMetadata);
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        SetJson(message, w.ToArrayAndRelease());
        using var body = await ResponseBody.SendAsync(_service.Pipeline, message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status is 201 or 204) return;
        var error = StorageErrors.FromResponse(response, body, $"Create table '{Name}'");
        if (error.Status == 409 && error.ErrorCode == "TableAlreadyExists") return;
        throw error;
    }

    /// <returns>the new ETag. 409 EntityAlreadyExists when the keys exist.</returns>
    /// <remarks>An insert whose first try reached the service but whose answer was lost (time-out, 503 from
    /// a front end) is retried and then fails with 409 EntityAlreadyExists although it was stored: callers
    /// treat 409 as "exists" and read the entity.</remarks>
    public async Task<string> InsertAsync(TableEntity entity, CancellationToken cancellationToken = default)
    {
        TableEntityJson.Validate(entity);
        using var message = CreateMessage(RequestMethod.Post, _tablePath, null, JsonNoMetadata);
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        SetJson(message, Serialize(entity));
        using var body = await ResponseBody.SendAsync(_service.Pipeline, message, cancellationToken).ConfigureAwait(false);
        return ETagOrThrow(message.Response, body, 204, 201, "Insert entity");
    }

    /// <returns>null when the entity does not exist.</returns>
    public async Task<TableEntity?> GetAsync(string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        var path = EntityPath(partitionKey, rowKey);
        var list = SelectList(select);
        var query = list is null ? null : "?$select=" + Uri.EscapeDataString(list);
        using var message = CreateMessage(RequestMethod.Get, path, query, JsonMinimalMetadata);
        using var body = await ResponseBody.SendAsync(_service.Pipeline, message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status == 404) return null;
        if (response.Status != 200) throw StorageErrors.FromResponse(response, body, "Get entity");
        response.Headers.TryGetValue("ETag", out var etag);
        var reader = new Utf8JsonReader(body.Span);
        reader.Read();
        return TableEntityJson.ReadEntity(ref reader, etag);
    }

    /// <summary>If-Match: etag ("*" for unconditional). 412 UpdateConditionNotSatisfied when stale.</summary>
    public Task<string> ReplaceAsync(TableEntity entity, string etag, CancellationToken cancellationToken = default) =>
        UpdateAsync(RequestMethod.Put, entity, etag, "Replace entity", cancellationToken);

    /// <summary>If-Match: etag ("*" for unconditional). 412 UpdateConditionNotSatisfied when stale.</summary>
    public Task<string> MergeAsync(TableEntity entity, string etag, CancellationToken cancellationToken = default) =>
        UpdateAsync(Merge, entity, etag, "Merge entity", cancellationToken);

    /// <summary>Insert or replace.</summary>
    public Task<string> UpsertAsync(TableEntity entity, CancellationToken cancellationToken = default) =>
        UpdateAsync(RequestMethod.Put, entity, null, "Upsert entity", cancellationToken);

    /// <summary>Insert or merge.</summary>
    public Task<string> UpsertMergeAsync(TableEntity entity, CancellationToken cancellationToken = default) =>
        UpdateAsync(Merge, entity, null, "Upsert (merge) entity", cancellationToken);

    private async Task<string> UpdateAsync(RequestMethod method, TableEntity entity, string? etag, string operation, CancellationToken cancellationToken)
    {
        TableEntityJson.Validate(entity);
        if (etag is not null) ArgumentException.ThrowIfNullOrEmpty(etag);
        using var message = CreateMessage(method, EntityPath(entity.PartitionKey, entity.RowKey), null, JsonNoMetadata);
        if (etag is not null) message.Request.Headers.SetValue("If-Match", etag);
        SetJson(message, Serialize(entity));
        using var body = await ResponseBody.SendAsync(_service.Pipeline, message, cancellationToken).ConfigureAwait(false);
        return ETagOrThrow(message.Response, body, 204, 204, operation);
    }

    /// <summary>If-Match: etag ("*" deletes whatever is there). 404 ResourceNotFound when missing,
    /// 412 UpdateConditionNotSatisfied when stale.</summary>
    public async Task DeleteAsync(string partitionKey, string rowKey, string etag = "*", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(etag);
        using var message = CreateMessage(RequestMethod.Delete, EntityPath(partitionKey, rowKey), null, JsonNoMetadata);
        message.Request.Headers.SetValue("If-Match", etag);
        using var body = await ResponseBody.SendAsync(_service.Pipeline, message, cancellationToken).ConfigureAwait(false);
        if (message.Response.Status != 204) throw StorageErrors.FromResponse(message.Response, body, "Delete entity");
    }

    /// <summary>Follows continuation tokens; <paramref name="pageSize"/> is $top per page.</summary>
    public async IAsyncEnumerable<TableEntity> QueryAsync(string? filter = null, IEnumerable<string>? select = null, int? pageSize = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var page in QueryPagesAsync(filter, select, pageSize, cancellationToken).ConfigureAwait(false))
        {
            foreach (var entity in page) yield return entity;
        }
    }

    /// <summary>One list per response page (a page may be empty and still be followed by more).</summary>
    public async IAsyncEnumerable<IReadOnlyList<TableEntity>> QueryPagesAsync(string? filter = null, IEnumerable<string>? select = null, int? pageSize = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        TableContinuation? next = null;
        do
        {
            (var page, next) = await QueryPageAsync(filter, select, pageSize, next, cancellationToken).ConfigureAwait(false);
            yield return page;
        }
        while (next is not null);
    }

    /// <summary>One response page of a query, from the start or from where an earlier page left off.</summary>
    /// <returns>the page (possibly empty) and where the next one starts, or null after the last.</returns>
    public async Task<(IReadOnlyList<TableEntity> Page, TableContinuation? Next)> QueryPageAsync(string? filter, IEnumerable<string>? select, int? pageSize,
        TableContinuation? from, CancellationToken cancellationToken = default)
    {
        if (pageSize is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(pageSize), "pageSize must be 1..1000.");
        var query = new StringBuilder();
        if (!string.IsNullOrEmpty(filter)) query.Append("&$filter=").Append(Uri.EscapeDataString(filter));
        if (SelectList(select) is { } list) query.Append("&$select=").Append(Uri.EscapeDataString(list));
        if (pageSize is { } top) query.Append("&$top=").Append(top);
        if (from?.NextPartitionKey is { } pk) query.Append("&NextPartitionKey=").Append(Uri.EscapeDataString(pk));
        if (from?.NextRowKey is { } rk) query.Append("&NextRowKey=").Append(Uri.EscapeDataString(rk));
        if (query.Length > 0) query[0] = '?';
        using var message = CreateMessage(RequestMethod.Get, _tablePath + "()", query.Length > 0 ? query.ToString() : null, JsonMinimalMetadata);
        using var body = await ResponseBody.SendAsync(_service.Pipeline, message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status != 200) throw StorageErrors.FromResponse(response, body, $"Query table '{Name}'");
        var nextPk = response.Headers.TryGetValue("x-ms-continuation-NextPartitionKey", out var p) && !string.IsNullOrEmpty(p) ? p : null;
        var nextRk = response.Headers.TryGetValue("x-ms-continuation-NextRowKey", out var r) && !string.IsNullOrEmpty(r) ? r : null;
        return (ReadPage(body.Span), nextPk is null && nextRk is null ? null : new TableContinuation(nextPk, nextRk));
    }

    private static List<TableEntity> ReadPage(ReadOnlySpan<byte> json)
    {
        var list = new List<TableEntity>();
        var r = new Utf8JsonReader(json);
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject) throw new JsonException("Expected a query response object.");
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var isValue = r.ValueTextEquals("value"u8);
            r.Read();
            if (!isValue || r.TokenType != JsonTokenType.StartArray)
            {
                r.Skip();
                continue;
            }
            while (r.Read() && r.TokenType == JsonTokenType.StartObject)
            {
                list.Add(TableEntityJson.ReadEntity(ref r, null));
            }
        }
        return list;
    }

    /// <summary>Entity group transaction: ≤ 100 operations, one PartitionKey (checked before sending),
    /// all or nothing. On failure throws with <see cref="StorageRequestFailedException.FailedOperationIndex"/>.</summary>
    /// <returns>the new ETag of each operation (null for deletes).</returns>
    /// <exception cref="ArgumentException">the batch breaks a rule (empty, > 100 operations, several partitions,
    /// an entity twice, > 4 MiB, an entity over the limits); nothing was sent.</exception>
    /// <remarks>A batch retried after a lost answer may fail with 409 although the first try committed.</remarks>
    public async Task<IReadOnlyList<string?>> SubmitTransactionAsync(IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        var requestBody = TableBatch.Build(_service.BaseUrl, Name, actions, out var boundary);
        using var message = CreateMessage(RequestMethod.Post, _service.Endpoint.BasePath + "/$batch", null, JsonNoMetadata);
        message.Request.Headers.SetValue("Content-Type", "multipart/mixed; boundary=" + boundary);
        message.Request.Content = RequestContent.Create(requestBody);
        using var body = await ResponseBody.SendAsync(_service.Pipeline, message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status != 202) throw StorageErrors.FromResponse(response, body, "Entity group transaction");
        return TableBatch.ParseResponse(response, body, actions);
    }

    /// <summary>The $select list, always with the keys (an entity without keys is of no use).</summary>
    private static string? SelectList(IEnumerable<string>? select)
    {
        if (select is null) return null;
        var names = new List<string>();
        foreach (var name in select)
        {
            if (string.IsNullOrWhiteSpace(name) || name.Contains(',')) throw new ArgumentException($"Invalid property name '{name}' in select.", nameof(select));
            names.Add(name);
        }
        if (names.Count == 0) return null;
        if (!names.Contains("RowKey")) names.Insert(0, "RowKey");
        if (!names.Contains("PartitionKey")) names.Insert(0, "PartitionKey");
        return string.Join(",", names);
    }

    private static byte[] Serialize(TableEntity entity)
    {
        var w = ScratchBuffer.Acquire();
        var json = w.Json();
        TableEntityJson.Write(json, entity);
        json.Flush();
        return w.ToArrayAndRelease();
    }

    private static void SetJson(HttpMessage message, byte[] body)
    {
        message.Request.Headers.SetValue("Content-Type", "application/json");
        message.Request.Content = RequestContent.Create(body);
    }

    private static string ETagOrThrow(Response response, ResponseBody body, int expected, int alsoOk, string operation)
    {
        if (response.Status != expected && response.Status != alsoOk) throw StorageErrors.FromResponse(response, body, operation);
        return response.Headers.TryGetValue("ETag", out var etag) && etag is not null
            ? etag
            : throw StorageErrors.Create(response.Status, "MissingETag", "the response carried no ETag", operation);
    }

    internal string EntityPath(string partitionKey, string rowKey)
    {
        TableEntityJson.ValidateKey(partitionKey, nameof(partitionKey));
        TableEntityJson.ValidateKey(rowKey, nameof(rowKey));
        return string.Concat(_tablePath, "(PartitionKey='", EscapeKey(partitionKey), "',RowKey='", EscapeKey(rowKey), "')");
    }

    /// <summary>Single quotes doubled (OData string literal), then percent-encoded (RFC 3986 unreserved kept).</summary>
    internal static string EscapeKey(string key) => Uri.EscapeDataString(key.Replace("'", "''", StringComparison.Ordinal));

    private HttpMessage CreateMessage(RequestMethod method, string path, string? query, string accept)
    {
        var message = _service.Endpoint.CreateMessage(_service.Pipeline, method, path, query);
        var headers = message.Request.Headers;
        headers.SetValue("Accept", accept);
        headers.SetValue("DataServiceVersion", "3.0;NetFx");
        headers.SetValue("MaxDataServiceVersion", "3.0;NetFx");
        return message;
    }
}
