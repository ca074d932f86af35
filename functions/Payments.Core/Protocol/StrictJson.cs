using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

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
        if (!IsWellFormedText(document.RootElement))
        {
            document.Dispose();
            throw new ProtocolException(new ProtocolError(ErrorCode.InvalidDecryptedRequest, "request body holds a string that is not valid text (a lone surrogate escape)"));
        }
        return document;
    }

    /// <summary>Valid UTF-8 can still escape half a surrogate pair (<c>"\ud800"</c>): such a string cannot be
    /// read as text, so it is refused here, wherever it is (in fields no handler maps too, which the
    /// fingerprint reads).</summary>
    private static bool IsWellFormedText(JsonElement e)
    {
        try
        {
            Visit(e);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        static void Visit(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject())
                    {
                        _ = p.Name;
                        Visit(p.Value);
                    }
                    break;
                case JsonValueKind.Array:
                    foreach (var item in e.EnumerateArray()) Visit(item);
                    break;
                case JsonValueKind.String:
                    _ = e.GetString();
                    break;
            }
        }
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
        // The path names properties of the request: the caller's text.
        return LogText.Escape(what + where, 300);
    }

    /// <summary>
    /// The idempotency fingerprint: SHA-256 of the body in a canonical form (properties sorted,
    /// whitespace dropped) without <c>requestHeader.requestTimestamp</c>, which changes on every retry
    /// (docs/protocol.md §5). Two bodies that mean the same get the same fingerprint: where the request type
    /// <paramref name="requestType"/> accepts two forms of one value, the canonical form is written
    /// (an int64 as a string of digits, a timestamp as <c>{"epochMillis":"…"}</c>, a null field of a
    /// mapped object, known or not, as an absent one), and <c>protocolVersion</c> is its major alone in the
    /// header style's form (<c>{"major":1,"minor":0,"revision":0}</c> for v1, <c>{"major":2}</c> for v2), as
    /// minor and revision may move between retries. The canonical forms are the ones Google sends, so
    /// fingerprints of such bodies are what they always were.
    /// </summary>
    public static string Fingerprint(JsonElement root, JsonTypeInfo requestType, HeaderStyle style)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
            WriteCanonical(w, root, Shape.Of(requestType), style, depth: 0, parentIsRequestHeader: false);
        return Convert.ToBase64String(SHA256.HashData(buffer.WrittenSpan));
    }

    /// <summary>What the request type makes of a JSON value: the fields with two accepted forms.</summary>
    private sealed class Shape
    {
        public static readonly Shape Int64 = new(), Timestamp = new(), Version = new(), Other = new();
        private static readonly ConcurrentDictionary<Type, Shape> Cache = new();
        public IReadOnlyDictionary<string, Shape>? Members { get; private init; }

        public static Shape Of(JsonTypeInfo type) => Cache.GetOrAdd(type.Type, _ => Build(type, depth: 0));

        private static Shape Build(JsonTypeInfo type, int depth)
        {
            if (type.Kind != JsonTypeInfoKind.Object || depth > 8) return Other;
            var members = new Dictionary<string, Shape>(StringComparer.Ordinal);
            foreach (var p in type.Properties)
            {
                var t = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
                members[p.Name] = p.CustomConverter is Int64StringConverter ? Int64
                    : t == typeof(WireTimestamp) ? Timestamp
                    : t == typeof(ProtocolVersion) ? Version
                    : t == typeof(JsonElement) ? Other
                    : Build(type.Options.GetTypeInfo(t), depth + 1);
            }
            return new Shape { Members = members };
        }
    }

    private static void WriteCanonical(Utf8JsonWriter w, JsonElement e, Shape shape, HeaderStyle style, int depth, bool parentIsRequestHeader)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object when shape == Shape.Version:
                WriteVersion(w, e, style);
                break;
            case JsonValueKind.Object when shape == Shape.Timestamp:
                w.WriteStartObject();
                foreach (var p in e.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    w.WritePropertyName(p.Name);
                    WriteCanonical(w, p.Value, p.Name == "epochMillis" ? Shape.Int64 : Shape.Other, style, depth + 1, false);
                }
                w.WriteEndObject();
                break;
            case JsonValueKind.Object:
                w.WriteStartObject();
                foreach (var p in e.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (parentIsRequestHeader && p.Name == "requestTimestamp") continue;
                    // In an object the request maps, a field given as null is read as absent, and one the
                    // type does not know is ignored either way. Values the request does not map (an
                    // unknown object, a JsonElement field) are kept as they came.
                    if (shape.Members is not null && p.Value.ValueKind == JsonValueKind.Null) continue;
                    var member = shape.Members?.GetValueOrDefault(p.Name);
                    w.WritePropertyName(p.Name);
                    WriteCanonical(w, p.Value, member ?? Shape.Other, style, depth + 1, depth == 0 && p.Name == "requestHeader");
                }
                w.WriteEndObject();
                break;
            case JsonValueKind.Array:
                w.WriteStartArray();
                foreach (var item in e.EnumerateArray()) WriteCanonical(w, item, Shape.Other, style, depth + 1, false);
                w.WriteEndArray();
                break;
            case JsonValueKind.String or JsonValueKind.Number when (shape == Shape.Int64 || shape == Shape.Timestamp) && AsInt64(e) is { } value:
                var digits = value.ToString(CultureInfo.InvariantCulture);
                if (shape == Shape.Int64) { w.WriteStringValue(digits); break; }
                w.WriteStartObject();
                w.WriteString("epochMillis", digits);
                w.WriteEndObject();
                break;
            default:
                e.WriteTo(w);
                break;
        }
    }

    /// <summary>Only the major says what a body means (validation has checked it is the route's); the
    /// rest is written as Google's usual header of the style has it, 1.0.0 or <c>{major}</c>.</summary>
    private static void WriteVersion(Utf8JsonWriter w, JsonElement version, HeaderStyle style)
    {
        w.WriteStartObject();
        if (version.TryGetProperty("major", out var major)) { w.WritePropertyName("major"); major.WriteTo(w); }
        if (style == HeaderStyle.V1)
        {
            w.WriteNumber("minor", 0);
            w.WriteNumber("revision", 0);
        }
        w.WriteEndObject();
    }

    private static long? AsInt64(JsonElement e) =>
        e.ValueKind == JsonValueKind.Number ? (e.TryGetInt64(out var n) ? n : null)
        : long.TryParse(e.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var s) ? s : null;
}
