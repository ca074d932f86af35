using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Payments.Core.Protocol;

/// <summary>
/// Builds response bodies. A successful response is stored in the idempotency ledger as its payload
/// (the JSON object without <c>responseHeader</c>); every send, first or replay, composes
/// <c>{"responseHeader":{...fresh timestamp...}, ...payload members}</c>, so a replay differs from
/// the first answer only in <c>responseTimestamp</c>.
/// </summary>
internal static class ResponseWriter
{
    public static byte[] Success(HeaderStyle style, string payloadJson, long nowMillis)
    {
        // payloadJson is an object written by us: "{" + members + "}" (possibly "{}").
        var header = HeaderJson(style, nowMillis);
        var members = payloadJson.AsSpan(1, payloadJson.Length - 2).Trim();
        var sb = new StringBuilder(header.Length + payloadJson.Length + 24);
        sb.Append("{\"responseHeader\":").Append(header);
        if (members.Length > 0) sb.Append(',').Append(members);
        sb.Append('}');
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public static byte[] Error(HeaderStyle style, ProtocolError error, string errorIdentifier, long nowMillis)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WritePropertyName("responseHeader");
            WriteHeader(w, style, nowMillis);
            if (style == HeaderStyle.V1)
            {
                w.WriteString("errorResponseCode", error.Code.V1Name());
            }
            else
            {
                w.WriteStartObject("errorResponseResult");
                w.WriteStartObject(error.Code.V2Member());
                switch (error.Code)
                {
                    case ErrorCode.InvalidApiVersion:
                        w.WriteStartObject("requestVersion");
                        if (error.RequestMajorVersion is { } rv) w.WriteNumber("major", rv);
                        w.WriteEndObject();
                        w.WriteStartObject("expectedVersion");
                        if (error.ExpectedMajorVersion is { } ev) w.WriteNumber("major", ev);
                        w.WriteEndObject();
                        break;
                    case ErrorCode.InvalidIdentifier when error.InvalidIdentifierType is not null:
                        w.WriteString("invalidIdentifierType", error.InvalidIdentifierType);
                        break;
                    case ErrorCode.MissingRequiredField when error.MissingFieldNames is not null:
                        w.WriteStartArray("missingFieldNames");
                        foreach (var name in error.MissingFieldNames) w.WriteStringValue(name);
                        w.WriteEndArray();
                        break;
                }
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteString("errorDescription", error.Description);
            w.WriteString("paymentIntegratorErrorIdentifier", errorIdentifier);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static string HeaderJson(HeaderStyle style, long nowMillis)
    {
        var ms = nowMillis.ToString(CultureInfo.InvariantCulture);
        return style == HeaderStyle.V1
            ? "{\"responseTimestamp\":\"" + ms + "\"}"
            : "{\"responseTimestamp\":{\"epochMillis\":\"" + ms + "\"}}";
    }

    private static void WriteHeader(Utf8JsonWriter w, HeaderStyle style, long nowMillis)
    {
        w.WriteStartObject();
        var ms = nowMillis.ToString(CultureInfo.InvariantCulture);
        if (style == HeaderStyle.V1) w.WriteString("responseTimestamp", ms);
        else
        {
            w.WriteStartObject("responseTimestamp");
            w.WriteString("epochMillis", ms);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    /// <summary>Writes a payload object with a helper writer: handlers build payloads with this.</summary>
    public static string Payload(Action<Utf8JsonWriter> writeMembers)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            writeMembers(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
