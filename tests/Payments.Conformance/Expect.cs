using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;
using Payments.Core.Protocol;

namespace Payments.Conformance;

/// <summary>What an answer must be (docs/protocol.md §3–§5); each throws <see cref="CheckFailedException"/> with a short reason.</summary>
public static class Expect
{
    [DoesNotReturn]
    public static void Fail(string reason) => throw new CheckFailedException(reason);

    /// <summary>A 200 whose body opened (signed by the integrator, encrypted to Google) with the header of the method's style.</summary>
    public static JsonNode Success(Answer answer, ProtocolMethod method)
    {
        if (answer.Status != 200) Fail($"expected 200, got {answer}");
        var json = Opened(answer);
        Header(json, method.Style);
        return json;
    }

    /// <summary>An ErrorResponse (docs/protocol.md §4): the status, the v1 code or the single v2 member, a description
    /// (v1) and our error identifier.</summary>
    public static void Error(Answer answer, ProtocolMethod method, int status, string v1Code)
    {
        if (answer.Status != status) Fail($"expected {status} {v1Code}, got {answer}");
        var json = Opened(answer);
        Header(json, method.Style);
        if (method.Style == HeaderStyle.V1)
        {
            if (json["errorResponseCode"]?.GetValue<string>() != v1Code) Fail($"expected errorResponseCode {v1Code}, got {answer}");
            if (string.IsNullOrWhiteSpace(json["errorDescription"]?.GetValue<string>())) Fail("no errorDescription");
        }
        else
        {
            var member = V2Member(v1Code);
            if (json["errorResponseResult"] is not JsonObject result || result.Count != 1 || !result.ContainsKey(member))
                Fail($"expected errorResponseResult with exactly {member}, got {answer}");
        }
        if (string.IsNullOrWhiteSpace(json["paymentIntegratorErrorIdentifier"]?.GetValue<string>())) Fail("no paymentIntegratorErrorIdentifier");
    }

    /// <summary>A refusal before the body could be attributed to Google: the status, and if a body came back, the error code.</summary>
    public static void Refused(Answer answer, ProtocolMethod method, int status, string v1Code)
    {
        if (answer.Status != status) Fail($"expected {status} {v1Code}, got {answer}");
        if (answer.Text.Length > 0) Error(answer, method, status, v1Code);
    }

    public static void Equal(string expected, string? actual, string what)
    {
        if (string.Equals(expected, actual, StringComparison.Ordinal)) return;
        if (actual is null || expected.Length + actual.Length < 200) Fail($"{what}: expected {expected}, got {actual ?? "nothing"}");
        // Long bodies: only where they part.
        var at = expected.AsSpan().CommonPrefixLength(actual);
        var from = Math.Max(0, at - 40);
        Fail($"{what} differs at character {at}: expected …{expected[from..Math.Min(expected.Length, at + 60)]}…, got …{actual[from..Math.Min(actual.Length, at + 60)]}…");
    }

    public static string Text(JsonNode json, string what, params string[] path)
    {
        JsonNode? node = json;
        foreach (var step in path) node = node?[step];
        var value = node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        if (string.IsNullOrEmpty(value)) Fail($"no {what} ({string.Join('.', path)}) in {json.ToJsonString()}");
        return value;
    }

    /// <summary>The decrypted answer as it came, with the digits of its <c>responseTimestamp</c> blanked: what a
    /// replay must reproduce byte for byte (docs/protocol.md §5).</summary>
    public static string ReplayForm(Answer answer)
    {
        var text = answer.Text;
        var at = text.IndexOf("\"responseTimestamp\"", StringComparison.Ordinal);
        if (at < 0) Fail($"no responseTimestamp in {answer}");
        var start = at + "\"responseTimestamp\"".Length;
        while (start < text.Length && !char.IsAsciiDigit(text[start])) start++;
        var end = start;
        while (end < text.Length && char.IsAsciiDigit(text[end])) end++;
        return string.Concat(text.AsSpan(0, start), "*", text.AsSpan(end));
    }

    private static JsonNode Opened(Answer answer)
    {
        if (!answer.Opened) Fail($"the answer did not open with Google's key (not signed by the integrator or not encrypted to Google): {answer}");
        return answer.Json ?? throw new CheckFailedException($"the answer is not JSON: {answer}");
    }

    private static void Header(JsonNode json, HeaderStyle style)
    {
        var timestamp = json["responseHeader"]?["responseTimestamp"];
        var ok = style == HeaderStyle.V1
            ? timestamp is JsonValue v && v.TryGetValue<string>(out var s) && long.TryParse(s, out _)
            : timestamp?["epochMillis"] is JsonValue e && e.TryGetValue<string>(out var m) && long.TryParse(m, out _);
        if (!ok) Fail($"responseHeader.responseTimestamp is not the {style} form: {json["responseHeader"]?.ToJsonString() ?? "no responseHeader"}");
    }

    /// <summary>INVALID_API_VERSION → invalidApiVersion.</summary>
    private static string V2Member(string v1Code)
    {
        var parts = v1Code.ToLowerInvariant().Split('_');
        return parts[0] + string.Concat(parts.Skip(1).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
    }
}
