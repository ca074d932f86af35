using System.Globalization;
using System.Text;
using Azure;

namespace Payments.Core.Storage;

/// <summary>Entity group transaction wire format: <c>multipart/mixed</c> batch holding one change set
/// of <c>application/http</c> parts, each a complete request with an absolute URL.</summary>
internal static class TableBatch
{
    internal static byte[] Build(string baseUrl, string table, IReadOnlyList<TableTransactionAction> actions, out string batchBoundary)
    {
        ArgumentNullException.ThrowIfNull(actions);
        if (actions.Count == 0) throw new ArgumentException("An entity group transaction needs at least one operation.", nameof(actions));
        if (actions.Count > TableClient.MaxBatchOperations)
        {
            throw new ArgumentException($"An entity group transaction holds at most {TableClient.MaxBatchOperations} operations; this one has {actions.Count}.", nameof(actions));
        }
        var partitionKey = actions[0]?.Entity?.PartitionKey;
        var rowKeys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < actions.Count; i++)
        {
            var action = actions[i] ?? throw new ArgumentException($"Operation {i} is null.", nameof(actions));
            ArgumentNullException.ThrowIfNull(action.Entity);
            if (!string.Equals(action.Entity.PartitionKey, partitionKey, StringComparison.Ordinal))
            {
                throw new ArgumentException($"All operations of an entity group transaction must share one PartitionKey; operation {i} has another one.", nameof(actions));
            }
            if (!rowKeys.Add(action.Entity.RowKey))
            {
                throw new ArgumentException($"Operation {i} touches an entity (RowKey) that an earlier operation of the transaction already touches.", nameof(actions));
            }
            if (action.Type == TableTransactionActionType.Delete)
            {
                TableEntityJson.ValidateKey(action.Entity.PartitionKey, nameof(TableEntity.PartitionKey));
                TableEntityJson.ValidateKey(action.Entity.RowKey, nameof(TableEntity.RowKey));
            }
            else
            {
                TableEntityJson.Validate(action.Entity);
            }
            if (action.ETag is { Length: 0 }) throw new ArgumentException($"Operation {i} has an empty ETag.", nameof(actions));
        }

        var batchId = Guid.NewGuid().ToString("N");
        batchBoundary = "batch_" + batchId;
        var changeset = "changeset_" + Guid.NewGuid().ToString("N");
        var tableUrl = baseUrl + "/" + table;
        var b = ScratchBuffer.Acquire();
        var json = b.Json();
        b.WriteAscii("--" + batchBoundary + "\r\nContent-Type: multipart/mixed; boundary=" + changeset + "\r\n\r\n");
        foreach (var action in actions)
        {
            b.WriteAscii("--" + changeset + "\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n");
            var e = action.Entity;
            var entityUrl = string.Concat(tableUrl, "(PartitionKey='", TableClient.EscapeKey(e.PartitionKey), "',RowKey='", TableClient.EscapeKey(e.RowKey), "')");
            var (verb, url, ifMatch, hasBody) = action.Type switch
            {
                TableTransactionActionType.Insert => ("POST", tableUrl, null, true),
                TableTransactionActionType.Replace => ("PUT", entityUrl, action.ETag ?? "*", true),
                TableTransactionActionType.Merge => ("MERGE", entityUrl, action.ETag ?? "*", true),
                TableTransactionActionType.UpsertReplace => ("PUT", entityUrl, null, true),
                TableTransactionActionType.UpsertMerge => ("MERGE", entityUrl, null, true),
                TableTransactionActionType.Delete => ("DELETE", entityUrl, action.ETag ?? "*", false),
                _ => throw new ArgumentException($"Unknown operation type {action.Type}.", nameof(actions)),
            };
            b.WriteAscii(verb + " " + url + " HTTP/1.1\r\nAccept: application/json;odata=nometadata\r\nDataServiceVersion: 3.0;\r\n");
            if (ifMatch is not null) b.WriteUtf8("If-Match: " + ifMatch + "\r\n");
            if (hasBody)
            {
                if (action.Type == TableTransactionActionType.Insert) b.WriteAscii("Prefer: return-no-content\r\n");
                b.WriteAscii("Content-Type: application/json\r\n\r\n");
                json.Reset(b);
                TableEntityJson.Write(json, e);
                json.Flush();
                b.WriteAscii("\r\n");
            }
            else
            {
                b.WriteAscii("\r\n");
            }
        }
        b.WriteAscii("--" + changeset + "--\r\n\r\n--" + batchBoundary + "--\r\n");
        if (b.Length > TableClient.MaxBatchBytes)
        {
            var size = b.Length;
            b.Release();
            throw new ArgumentException($"The entity group transaction is {size} bytes; the limit is {TableClient.MaxBatchBytes} (4 MiB).", nameof(actions));
        }
        return b.ToArrayAndRelease();
    }

    /// <summary>Reads the change set response: one part per operation on success; on failure one error part
    /// whose message starts with the failing operation's index (<c>"2:The specified entity already exists."</c>).</summary>
    internal static IReadOnlyList<string?> ParseResponse(Response response, ResponseBody body, IReadOnlyList<TableTransactionAction> actions)
    {
        var text = body.ToString();
        var parts = ReadParts(text);
        var failed = parts.FindIndex(p => p.Status >= 300);
        if (failed >= 0)
        {
            var part = parts[failed];
            string? code = null, message = null;
            var json = part.Body.Trim();
            if (json.StartsWith('{'))
            {
                try { (code, message) = StorageErrors.ParseJsonError(Encoding.UTF8.GetBytes(json), null); }
                catch (System.Text.Json.JsonException) { }
            }
            int? index = null;
            if (message is not null)
            {
                var colon = message.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0 && int.TryParse(message.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i >= 0 && i < actions.Count)
                {
                    index = i;
                    message = message[(colon + 1)..];
                }
            }
            if (index is null && parts.Count == actions.Count) index = failed;
            throw StorageErrors.Create(part.Status, code, message, "Entity group transaction", index);
        }
        if (parts.Count != actions.Count)
        {
            throw StorageErrors.Create(response.Status, "UnexpectedBatchResponse", $"{parts.Count} response parts for {actions.Count} operations", "Entity group transaction");
        }
        var etags = new string?[actions.Count];
        for (var i = 0; i < etags.Length; i++)
        {
            etags[i] = actions[i].Type == TableTransactionActionType.Delete ? null : parts[i].ETag;
        }
        return etags;
    }

    private sealed record Part(int Status, string? ETag, string Body);

    private static List<Part> ReadParts(string text)
    {
        var parts = new List<Part>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (!line.StartsWith("HTTP/1.", StringComparison.Ordinal)) continue;
            var fields = line.Split(' ', 3);
            if (fields.Length < 2 || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status)) continue;
            string? etag = null;
            i++;
            for (; i < lines.Length; i++)
            {
                var header = lines[i].TrimEnd('\r');
                if (header.Length == 0) break;
                var colon = header.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0 && header.AsSpan(0, colon).Trim().Equals("ETag", StringComparison.OrdinalIgnoreCase))
                {
                    etag = header[(colon + 1)..].Trim();
                }
            }
            var body = new StringBuilder();
            for (i++; i < lines.Length; i++)
            {
                var l = lines[i].TrimEnd('\r');
                if (l.StartsWith("--", StringComparison.Ordinal)) { i--; break; }
                body.Append(l).Append('\n');
            }
            parts.Add(new Part(status, etag, body.ToString()));
        }
        return parts;
    }
}
