using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Payments.Core.Storage;

/// <summary>Entity ⇄ JSON (odata=nometadata on write with explicit Edm annotations; minimalmetadata on
/// read so the service returns the annotations for Int64, DateTime, Guid, Binary and whole doubles).
/// Limits are checked here, before anything is sent.</summary>
internal static class TableEntityJson
{
    internal const int MaxProperties = 252;
    internal const int MaxStringChars = 32 * 1024;
    internal const int MaxBinaryBytes = 64 * 1024;
    internal const int MaxEntityBytes = 1024 * 1024;
    internal const int MaxKeyChars = 1024;
    internal const int MaxPropertyNameChars = 255;

    private const string OdataType = "@odata.type";

    /// <summary>Rejects keys the service refuses or that cannot travel in a URL.</summary>
    internal static void ValidateKey(string? key, string which)
    {
        if (key is null) throw new ArgumentNullException(which);
        if (key.Length > MaxKeyChars) throw new ArgumentException($"{which} is longer than {MaxKeyChars} characters.", which);
        foreach (var c in key)
        {
            if (c is '/' or '\\' or '#' or '?' || char.IsControl(c))
            {
                throw new ArgumentException($"{which} contains a character the table service does not allow in keys ('/', '\\', '#', '?' or a control character): encode it first.", which);
            }
        }
    }

    /// <summary>Checks the entity against the service limits (own properties, value sizes, entity size).</summary>
    internal static void Validate(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        ValidateKey(entity.PartitionKey, nameof(TableEntity.PartitionKey));
        ValidateKey(entity.RowKey, nameof(TableEntity.RowKey));
        // Entity size per the service's formula: 4 + 2·len(keys) + Σ (8 + 2·len(name) + size of value).
        long size = 4 + 2L * (entity.PartitionKey.Length + entity.RowKey.Length);
        var count = 0;
        foreach (var (name, value) in entity.Properties)
        {
            if (value is null) continue;
            count++;
            if (string.IsNullOrEmpty(name) || name.Length > MaxPropertyNameChars)
            {
                throw new ArgumentException($"Property name '{name}' is empty or longer than {MaxPropertyNameChars} characters.", nameof(entity));
            }
            if (name is "PartitionKey" or "RowKey" or "Timestamp" || name.StartsWith("odata.", StringComparison.Ordinal) || name.Contains('@'))
            {
                throw new ArgumentException($"Property name '{name}' is reserved.", nameof(entity));
            }
            long valueSize = value switch
            {
                string s when s.Length > MaxStringChars => throw new ArgumentException($"Property '{name}': a string value may hold at most {MaxStringChars} characters (64 KiB); it has {s.Length}.", nameof(entity)),
                string s => 4 + 2L * s.Length,
                byte[] b when b.Length > MaxBinaryBytes => throw new ArgumentException($"Property '{name}': a binary value may hold at most {MaxBinaryBytes} bytes; it has {b.Length}.", nameof(entity)),
                byte[] b => 4 + b.Length,
                bool => 1,
                int => 4,
                long => 8,
                double => 8,
                DateTimeOffset or DateTime => 8,
                Guid => 16,
                _ => throw new ArgumentException($"Property '{name}': type {value.GetType().Name} is not supported (string, bool, int, long, double, DateTimeOffset, DateTime, Guid, byte[]).", nameof(entity)),
            };
            size += 8 + 2L * name.Length + valueSize;
        }
        if (count > MaxProperties)
        {
            throw new ArgumentException($"An entity may have at most {MaxProperties} own properties; this one has {count}.", nameof(entity));
        }
        if (size > MaxEntityBytes)
        {
            throw new ArgumentException($"The entity is {size} bytes by the service's size rule; the limit is {MaxEntityBytes} (1 MiB).", nameof(entity));
        }
    }

    /// <summary>Writes the entity as one JSON object (keys first). Call <see cref="Validate"/> first.</summary>
    internal static void Write(Utf8JsonWriter w, TableEntity entity)
    {
        w.WriteStartObject();
        w.WriteString("PartitionKey"u8, entity.PartitionKey);
        w.WriteString("RowKey"u8, entity.RowKey);
        Span<char> chars = stackalloc char[40];
        foreach (var (name, value) in entity.Properties)
        {
            switch (value)
            {
                case null:
                    break;
                case string s:
                    w.WriteString(name, s);
                    break;
                case bool b:
                    w.WriteBoolean(name, b);
                    break;
                case int i:
                    w.WriteNumber(name, i);
                    break;
                case long l:
                    w.WriteString(name + OdataType, "Edm.Int64");
                    l.TryFormat(chars, out var n, default, CultureInfo.InvariantCulture);
                    w.WriteString(name, chars[..n]);
                    break;
                case double d:
                    w.WriteString(name + OdataType, "Edm.Double");
                    if (double.IsNaN(d)) w.WriteString(name, "NaN");
                    else if (double.IsPositiveInfinity(d)) w.WriteString(name, "Infinity");
                    else if (double.IsNegativeInfinity(d)) w.WriteString(name, "-Infinity");
                    else w.WriteNumber(name, d);
                    break;
                case DateTimeOffset dto:
                    WriteDate(w, name, dto.UtcDateTime, chars);
                    break;
                case DateTime dt:
                    WriteDate(w, name, dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt.ToUniversalTime(), chars);
                    break;
                case Guid g:
                    w.WriteString(name + OdataType, "Edm.Guid");
                    w.WriteString(name, g);
                    break;
                case byte[] bytes:
                    w.WriteString(name + OdataType, "Edm.Binary");
                    w.WriteBase64String(name, bytes);
                    break;
                default:
                    throw new ArgumentException($"Property '{name}': type {value.GetType().Name} is not supported.");
            }
        }
        w.WriteEndObject();
    }

    private static void WriteDate(Utf8JsonWriter w, string name, DateTime utc, Span<char> chars)
    {
        w.WriteString(name + OdataType, "Edm.DateTime");
        utc.TryFormat(chars, out var n, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        w.WriteString(name, chars[..n]);
    }

    /// <summary>Reads one entity object; the reader is on its StartObject and ends on its EndObject.</summary>
    internal static TableEntity ReadEntity(ref Utf8JsonReader r, string? etagHeader)
    {
        if (r.TokenType != JsonTokenType.StartObject) throw new JsonException("Expected an entity object.");
        string? pk = null, rk = null, etag = null;
        object? timestamp = null;
        // The keys come first in what the service writes: the entity is created as soon as both are known
        // and later properties go straight into it; anything before them waits in `early`.
        TableEntity? entity = null;
        Dictionary<string, object?>? early = null;
        List<(string Name, string Type)>? types = null;
        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            var name = r.GetString()!;
            r.Read();
            if (name.EndsWith(OdataType, StringComparison.Ordinal))
            {
                (types ??= []).Add((name[..^OdataType.Length], r.GetString() ?? ""));
                continue;
            }
            if (name.StartsWith("odata.", StringComparison.Ordinal))
            {
                if (name == "odata.etag" && r.TokenType == JsonTokenType.String) etag = r.GetString();
                else r.Skip();
                continue;
            }
            object? value;
            switch (r.TokenType)
            {
                case JsonTokenType.String: value = r.GetString(); break;
                case JsonTokenType.True: value = true; break;
                case JsonTokenType.False: value = false; break;
                case JsonTokenType.Number:
                    // "2.0" is a double (the service writes whole doubles with a fraction), "2" an Int32.
                    var raw = r.HasValueSequence ? r.ValueSequence.ToArray() : r.ValueSpan;
                    if (raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0 && r.TryGetInt32(out var i)) value = i;
                    else if (raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0 && r.TryGetInt64(out var l)) value = l;
                    else value = r.GetDouble();
                    break;
                case JsonTokenType.Null: continue;
                default: r.Skip(); continue;
            }
            switch (name)
            {
                case "PartitionKey": pk = value as string; break;
                case "RowKey": rk = value as string; break;
                case "Timestamp": timestamp = value; break;
                default:
                    if (entity is not null) entity.Properties[name] = value;
                    else (early ??= new Dictionary<string, object?>(StringComparer.Ordinal))[name] = value;
                    break;
            }
            if (entity is null && pk is not null && rk is not null) entity = new TableEntity(pk, rk);
        }
        if (pk is null || rk is null) throw new JsonException("The entity has no PartitionKey or RowKey.");
        entity ??= new TableEntity(pk, rk);
        entity.ETag = etag ?? etagHeader;
        if (early is not null)
        {
            foreach (var (k, v) in early) entity.Properties[k] = v;
        }
        if (timestamp is string ts) entity.Timestamp = ParseDate(ts);
        if (types is not null)
        {
            var props = entity.Properties;
            foreach (var (name, type) in types)
            {
                if (name == "Timestamp" || !props.TryGetValue(name, out var raw) || raw is null) continue;
                props[name] = Convert(name, type, raw);
            }
        }
        return entity;
    }

    private static object? Convert(string name, string type, object raw)
    {
        try
        {
            return (type, raw) switch
            {
                ("Edm.Int64", string s) => long.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
                ("Edm.Int64", int i) => (long)i,
                ("Edm.Int64", long l) => l,
                ("Edm.Int64", double d) => (long)d,
                ("Edm.Int32", string s) => int.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
                ("Edm.Double", string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
                ("Edm.Double", int i) => (double)i,
                ("Edm.Double", long l) => (double)l,
                ("Edm.Int32", long l) => checked((int)l),
                ("Edm.DateTime", string s) => ParseDate(s),
                ("Edm.Guid", string s) => Guid.Parse(s),
                ("Edm.Binary", string s) => System.Convert.FromBase64String(s),
                ("Edm.Boolean", string s) => bool.Parse(s),
                _ => raw,
            };
        }
        catch (FormatException e)
        {
            throw new JsonException($"Property '{name}': value is not a valid {type}.", e);
        }
    }

    internal static DateTimeOffset ParseDate(string s) =>
        TryParseIsoUtc(s, out var fast) ? fast
        : DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>Fast path for what the service writes: <c>yyyy-MM-ddTHH:mm:ss[.f…]Z</c> (up to 7 fraction digits).</summary>
    private static bool TryParseIsoUtc(string s, out DateTimeOffset value)
    {
        value = default;
        if (s.Length < 20 || s.Length > 28 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[^1] != 'Z') return false;
        if (!TwoDigits(s, 0, out var c) || !TwoDigits(s, 2, out var yy) || !TwoDigits(s, 5, out var month) || !TwoDigits(s, 8, out var day)
            || !TwoDigits(s, 11, out var hour) || !TwoDigits(s, 14, out var minute) || !TwoDigits(s, 17, out var second)) return false;
        long fraction = 0;
        if (s.Length > 20)
        {
            if (s[19] != '.') return false;
            var digits = s.Length - 21;
            if (digits < 1) return false;
            for (var i = 20; i < s.Length - 1; i++)
            {
                var d = s[i] - '0';
                if ((uint)d > 9) return false;
                fraction = fraction * 10 + d;
            }
            for (var i = digits; i < 7; i++) fraction *= 10;
        }
        else if (s[19] != 'Z') return false;
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(c * 100 + yy is var year and > 0 ? year : 1, month) || hour > 23 || minute > 59 || second > 59) return false;
        value = new DateTimeOffset(new DateTime(c * 100 + yy, month, day, hour, minute, second, DateTimeKind.Utc).AddTicks(fraction));
        return true;
    }

    private static bool TwoDigits(string s, int at, out int value)
    {
        int a = s[at] - '0', b = s[at + 1] - '0';
        value = a * 10 + b;
        return (uint)a <= 9 && (uint)b <= 9;
    }
}
