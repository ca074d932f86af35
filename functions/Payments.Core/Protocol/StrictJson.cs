using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Payments.Core.Protocol;

/// <summary>
/// The strict half of parsing: well-formed JSON, an object at the root, no duplicate property names
/// at any depth (System.Text.Json's serializer only checks the properties it maps), bounded depth.
/// </summary>
public static class StrictJson
{
    private static readonly JsonDocumentOptions Options = new()
    {
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 32,
    };

    /// <exception cref="ProtocolException">INVALID_DECRYPTED_REQUEST when the body is not a strict JSON object.</exception>
    public static JsonDocument Parse(ReadOnlyMemory<byte> json)
    {
        // The reader checks UTF-8 only when a string is materialised; check it all up front so that
        // malformed text is a refused request, not a fault deep in a handler.
        if (!System.Text.Unicode.Utf8.IsValid(json.Span))
            throw new ProtocolException(new ProtocolError(ErrorCode.InvalidDecryptedRequest, "request body is not valid UTF-8"));
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, Options);
        }
        catch (JsonException e)
        {
            throw new ProtocolException(new ProtocolError(ErrorCode.InvalidDecryptedRequest,
                "request body is not valid JSON: " + Describe(e)));
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new ProtocolException(new ProtocolError(ErrorCode.InvalidDecryptedRequest, "request body is not a JSON object"));
        }
        return document;
    }

    /// <summary>A short, safe description of a JSON error: position and the kind of problem, never the input.</summary>
    public static string Describe(JsonException e)
    {
        var where = e.Path is { Length: > 0 } p ? " at " + p : e.LineNumber is { } l ? $" at line {l + 1}, byte {e.BytePositionInLine}" : "";
        var what = e.Message.Contains("Duplicate property", StringComparison.Ordinal) ? "duplicate property"
            : e.InnerException is InvalidOperationException or FormatException or OverflowException ? "wrong type or value"
            : e.Message.StartsWith("expected", StringComparison.Ordinal) || e.Message.Contains("int64", StringComparison.Ordinal) ? e.Message
            : e.Message.Contains("could not be converted", StringComparison.Ordinal) ? "wrong type"
            : "malformed JSON";
        return what + where;
    }

    /// <summary>
    /// The idempotency fingerprint: SHA-256 of the body in a canonical form (properties sorted,
    /// whitespace dropped) without <c>requestHeader.requestTimestamp</c>, which changes on every retry
    /// (docs/protocol.md §5). Two bodies that mean the same get the same fingerprint.
    /// </summary>
    public static string Fingerprint(JsonElement root)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
            WriteCanonical(w, root, depth: 0, parentIsRequestHeader: false);
        return Convert.ToBase64String(SHA256.HashData(buffer.WrittenSpan));
    }

    private static void WriteCanonical(Utf8JsonWriter w, JsonElement e, int depth, bool parentIsRequestHeader)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                w.WriteStartObject();
                foreach (var p in e.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (parentIsRequestHeader && p.Name == "requestTimestamp") continue;
                    w.WritePropertyName(p.Name);
                    WriteCanonical(w, p.Value, depth + 1, depth == 0 && p.Name == "requestHeader");
                }
                w.WriteEndObject();
                break;
            case JsonValueKind.Array:
                w.WriteStartArray();
                foreach (var item in e.EnumerateArray()) WriteCanonical(w, item, depth + 1, false);
                w.WriteEndArray();
                break;
            default:
                e.WriteTo(w);
                break;
        }
    }
}
