using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Payments.Core.Protocol;
using Payments.Tests.EndToEnd;
using Payments.Tests.Fuzz;
using Payments.StandIns.Gsp;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Adversarial;

/// <summary>
/// Every field of every protocol route, walked from a valid request, replaced by the extremes of every
/// type: no 5xx, an ErrorResponse where refused, nothing stored by a refused call, and the refused call's
/// requestId free for the corrected call.
/// </summary>
[Collection(AdversarialCollection.Name)]
[Trait("Category", Category.EndToEnd)]
public sealed class FieldExtremesTests(AdversarialHost fixture)
{
    private static readonly int[] Allowed = [200, 400, 404, 409, 412, 413];

    /// <summary>A replacement value. <paramref name="Raw"/>: JSON text that JsonNode cannot hold (a lone
    /// surrogate escape, a number beyond double), written in place of the node.</summary>
    private sealed record Extreme(string Name, Func<JsonNode?> Value, string? Raw = null, bool Correct = false);

    private const long TwoTo53 = 1L << 53;
    /// <summary>The free-text limit (docs/input-limits.md).</summary>
    private const int TextLimit = 4096;
    private static readonly long MinMillis = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long MaxMillis = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    private static string S(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static JsonNode Deep(int levels)
    {
        JsonNode node = JsonValue.Create(1);
        for (var i = 0; i < levels; i++) node = new JsonObject { ["d"] = node };
        return node;
    }

    /// <summary>The extremes of every type, for every field: numbers as numbers and as strings, the ends of
    /// int64, of JavaScript's exact integers and of DateTimeOffset, strings at and past the text limit and
    /// past what one stored property holds, control characters, nesting and size.</summary>
    private static readonly Extreme[] Extremes =
    [
        new("int64 min", () => JsonValue.Create(long.MinValue), Correct: true),
        new("int64 max", () => JsonValue.Create(long.MaxValue)),
        new("2^53+1", () => JsonValue.Create(TwoTo53 + 1)),
        new("2^53-1", () => JsonValue.Create(TwoTo53 - 1)),
        new("-1", () => JsonValue.Create(-1)),
        new("0", () => JsonValue.Create(0)),
        new("1e400", () => null, Raw: "1e400"),
        new("\"int64 min\"", () => S(long.MinValue)),
        new("\"int64 max\"", () => S(long.MaxValue), Correct: true),
        new("\"int64 max + 1\"", () => "9223372036854775808"),
        new("\"2^53+1\"", () => S(TwoTo53 + 1)),
        new("\"2^53-1\"", () => S(TwoTo53 - 1)),
        new("\"-1\"", () => "-1"),
        new("\"0\"", () => "0"),
        new("\"first DateTimeOffset ms\"", () => S(MinMillis)),
        new("\"before DateTimeOffset\"", () => S(MinMillis - 1), Correct: true),
        new("\"last DateTimeOffset ms\"", () => S(MaxMillis)),
        new("\"after DateTimeOffset\"", () => S(MaxMillis + 1), Correct: true),
        new("{epochMillis: int64 max}", () => new JsonObject { ["epochMillis"] = S(long.MaxValue) }),
        new("{epochMillis: after DateTimeOffset}", () => new JsonObject { ["epochMillis"] = S(MaxMillis + 1) }, Correct: true),
        new("empty string", () => ""),
        new("text at limit", () => new string('t', TextLimit)),
        new("text past limit", () => new string('t', TextLimit + 1)),
        new("a stored property's limit", () => new string('s', 32 * 1024)),
        new("past a stored property", () => new string('s', 32 * 1024 + 1), Correct: true),
        new("NUL", () => "A\0B", Correct: true),
        new("control characters", () => "a\u0001\u001b[31m\r\nb\u007f\u0085"),
        new("line separator", () => "a\u2028b"),
        new("right-to-left override", () => "a\u202Eb"),
        new("noncharacter", () => "a\uFFFEb\U0010FFFF"),
        new("lone surrogate", () => null, Raw: "\"a\\ud800b\""),
        new("non-ASCII", () => "é中🙂"),
        new("null", () => null),
        new("true", () => JsonValue.Create(true)),
        new("empty object", () => new JsonObject()),
        new("empty array", () => new JsonArray()),
        new("nesting 30 deep", () => Deep(30)),
        new("nesting 100 deep", () => Deep(100)),
        new("huge array", () => null, Raw: "[" + string.Join(",", Enumerable.Repeat("0", 50_000)) + "]"),
    ];

    /// <summary>What the text policy refuses in every stored or echoed string (docs/input-limits.md, "Text").</summary>
    private static readonly (string Name, string Text)[] RefusedEverywhere =
    [
        ("U+202A embedding", "a\u202Ab"), ("U+202E right-to-left override", "a\u202Eb"), ("U+2066 isolate", "a\u2066b"),
        ("U+2069 pop isolate", "a\u2069b"), ("U+2028 line separator", "a\u2028b"), ("U+2029 paragraph separator", "a\u2029b"),
        ("U+FDD0 noncharacter", "a\uFDD0b"), ("U+FDEF noncharacter", "a\uFDEFb"), ("U+FFFE", "a\uFFFEb"), ("U+FFFF", "a\uFFFFb"),
        ("U+1FFFE", "a\U0001FFFEb"), ("U+10FFFF", "a\U0010FFFFb"), ("ESC", "a\u001b[31mb"), ("U+0085 next line", "a\u0085b"),
    ];

    /// <summary>Refused in identifiers, text in free text.</summary>
    private static readonly (string Name, string Text)[] FreeTextOnly =
    [
        ("U+200E mark", "a\u200Eb"), ("U+200F mark", "a\u200Fb"), ("U+061C mark", "a\u061Cb"), ("tab", "a\tb"), ("CR LF", "a\r\nb"),
    ];

    [Fact]
    public async Task Every_stored_text_field_and_identifier_refuses_what_the_text_policy_refuses_and_stores_nothing()
    {
        var host = fixture.Host;
        (ProtocolMethod Method, Func<string, JsonObject> Valid, string Field, bool Identifier)[] fields =
        [
            (ProtocolMethods.GenerateReferenceNumberV1, id => GspRequests.GenerateV1(id), "transactionDescription", false),
            (ProtocolMethods.GenerateReferenceNumberV2, id => GspRequests.GenerateV2(id), "transactionDescription", false),
            (ProtocolMethods.ReserveFundsV1, id => GspRequests.ReserveFundsV1(id), "transactionDescription", false),
            (ProtocolMethods.CreateMandateV1, id => GspRequests.CreateMandateV1(GspRequests.NewId("MD"), id), "mandateName", false),
            (ProtocolMethods.CreateMandateV1, id => GspRequests.CreateMandateV1(GspRequests.NewId("MD"), id), "mandateDescription", false),
            (ProtocolMethods.CreateMandateV1, id => GspRequests.CreateMandateV1(GspRequests.NewId("MD"), id), "frequency", false),
            (ProtocolMethods.CreateMandateV1, id => GspRequests.CreateMandateV1(GspRequests.NewId("MD"), id), "mandateId", true),
            (ProtocolMethods.CancelMandateV1, id => GspRequests.CancelMandateV1(fixture.MandateTarget, id), "mandateId", true),
            (ProtocolMethods.CaptureEWalletsV1, id => GspRequests.CaptureV1(1_000_000, id: id), "transactionDescription", false),
            (ProtocolMethods.CaptureEWalletsV1, id => GspRequests.CaptureV1(1_000_000, mandateId: fixture.ChargeMandateTarget, id: id), "mandateDetails.mandateId", true),
            (ProtocolMethods.CancelReferenceNumberV1, id => GspRequests.CancelReferenceNumberV1(fixture.CancelTargetV1, id), "referenceNumber", true),
        ];
        await MutationFuzzTests.WaitUntilFinishedAsync(fixture.Host);
        var before = await MutationFuzzTests.SnapshotAsync(fixture.Host);
        var wrong = new List<string>();
        var served = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (method, valid, field, identifier) in fields)
        {
            foreach (var (name, text) in RefusedEverywhere.Concat(identifier ? FreeTextOnly : []))
            {
                var body = valid(GspRequests.NewId("TP"));
                SetPath(body, field, text);
                var (status, json, raw) = await host.CallAsync(method, body);
                var code = json?["errorResponseCode"]?.GetValue<string>()
                    ?? (json?["errorResponseResult"]?["invalidFieldValue"] is not null ? "INVALID_FIELD_VALUE" : null);
                if (status != 400 || code != "INVALID_FIELD_VALUE") wrong.Add($"{method.Route} {field} {name}: {status} {raw[..Math.Min(raw.Length, 160)]}");
            }
            if (identifier) continue;
            foreach (var (name, text) in FreeTextOnly)
            {
                var id = GspRequests.NewId("TP");
                var body = valid(id);
                SetPath(body, field, text);
                var (status, _, raw) = await host.CallAsync(method, body);
                if (status != 200) wrong.Add($"{method.Route} {field} {name} (text): {status} {raw[..Math.Min(raw.Length, 160)]}");
                else served.Add(id);
            }
        }

        // The internal payment report: the store's transaction id and the reference number are identifiers.
        var generateId = GspRequests.NewId("TP");
        var (generated, generatedBody, generatedRaw) = await host.CallAsync(ProtocolMethods.GenerateReferenceNumberV1, GspRequests.GenerateV1(generateId));
        Assert.True(generated == 200, generatedRaw);
        served.Add(generateId);
        var number = generatedBody!["displayableReferenceNumber"]!["barcodeWithPrintableString"]!["printableString"]!.GetValue<string>();
        foreach (var (name, text) in RefusedEverywhere.Concat(FreeTextOnly))
        {
            var (s1, b1) = await host.PayAsync(GspRequests.Usd, number, "STORE-" + text);
            if (s1 != 400 || b1?["error"] is null) wrong.Add($"payment paymentIntegratorTransactionId {name}: {s1} {b1?.ToJsonString()}");
            var (s2, b2) = await host.PayAsync(GspRequests.Usd, number + text);
            if (s2 != 400 || b2?["error"] is null) wrong.Add($"payment referenceNumber {name}: {s2} {b2?.ToJsonString()}");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));

        await MutationFuzzTests.WaitUntilFinishedAsync(fixture.Host);
        var after = await MutationFuzzTests.SnapshotAsync(fixture.Host);
        var unexplained = MutationFuzzTests.Unexplained(before, after, served).Take(10).ToList();
        Assert.True(unexplained.Count == 0, "state left by refused calls: " + string.Join("; ", unexplained));
        // None of the refused reports paid the number.
        var (paid, paidBody) = await host.PayAsync(GspRequests.Usd, number, "STORE-clean");
        Assert.True(paid == 200, paidBody?.ToJsonString());
    }

    [Fact]
    public async Task A_description_cut_for_storage_is_cut_between_characters()
    {
        // Stored cut to its first 1024 UTF-16 units: an emoji across the cut must not leave half of itself.
        var id = GspRequests.NewId("TP");
        var body = GspRequests.GenerateV1(id);
        body["transactionDescription"] = new string('a', 1023) + "\U0001F642 tail";
        var (status, _, raw) = await fixture.Host.CallAsync(ProtocolMethods.GenerateReferenceNumberV1, body);
        Assert.True(status == 200, raw);
        var stored = (await MutationFuzzTests.SnapshotAsync(fixture.Host))
            .Where(e => e.Key.Pk.Contains(id, StringComparison.Ordinal) && e.Value.Entity.ContainsKey("Description"))
            .Select(e => e.Value.Entity.GetString("Description")).Single();
        Assert.Equal(new string('a', 1023), stored);
    }

    /// <summary>Sets the member a dotted path names ("mandateDetails.mandateId").</summary>
    private static void SetPath(JsonObject body, string path, string text)
    {
        var names = path.Split('.');
        names[..^1].Aggregate(body, (o, n) => o[n]!.AsObject())[names[^1]] = text;
    }

    private sealed record Case(ProtocolMethod Method, Func<string, JsonObject> Valid, string Path, Extreme Extreme, string? RequestId, bool Correctable, byte[] Body);

    [Fact]
    public async Task Every_field_of_every_route_at_its_extremes_is_answered_without_5xx_and_a_refused_call_leaves_nothing()
    {
        var host = fixture.Host;
        await MutationFuzzTests.WaitUntilFinishedAsync(fixture.Host);
        var before = await MutationFuzzTests.SnapshotAsync(fixture.Host);

        var cases = Generate().ToList();
        var answered = new ConcurrentBag<(Case Case, int Status, string Body)>();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (c, _) =>
        {
            using var content = new ByteArrayContent(c.Body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await host.Http.PostAsync("/" + c.Method.Route, content);
            answered.Add((c, (int)response.StatusCode, await response.Content.ReadAsStringAsync()));
        });

        string Describe((Case Case, int Status, string Body) a) => $"{a.Status} {a.Case.Method.Route} {a.Case.Path} = {a.Case.Extreme.Name}";
        var unexpected = answered.Where(a => !Allowed.Contains(a.Status)).ToList();
        Assert.True(unexpected.Count == 0, $"{unexpected.Count} of {cases.Count} answered outside {string.Join(",", Allowed)}:\n"
            + string.Join("\n", unexpected.Select(Describe).Order().Take(25)));
        foreach (var a in answered.Where(a => a.Status is 400 or 404 or 412))
        {
            var body = JsonNode.Parse(a.Body)!.AsObject();
            Assert.True(body["responseHeader"] is JsonObject, Describe(a) + ": " + a.Body);
            Assert.False(string.IsNullOrEmpty(body["paymentIntegratorErrorIdentifier"]?.GetValue<string>()), Describe(a) + ": " + a.Body);
            Assert.True(body["errorResponseCode"] is not null || body["errorResponseResult"] is JsonObject, Describe(a) + ": " + a.Body);
        }

        // Nothing stored by a refused call: every entity that changed names a call answered 200.
        await MutationFuzzTests.WaitUntilFinishedAsync(fixture.Host);
        var after = await MutationFuzzTests.SnapshotAsync(fixture.Host);
        var served = answered.Where(a => a.Status == 200 && a.Case.RequestId is not null).Select(a => a.Case.RequestId!).ToHashSet(StringComparer.Ordinal);
        var unexplained = MutationFuzzTests.Unexplained(before, after, served).Take(10).ToList();
        Assert.True(unexplained.Count == 0, "state left by refused calls: " + string.Join("; ", unexplained));

        // Nor a claim on the requestId: the corrected call with the same requestId is served at once.
        var corrections = answered
            .Where(a => a.Status != 200 && a.Case.RequestId is not null && a.Case.Correctable && a.Case.Extreme.Correct && a.Case.Method.Name != "echo"
                && !fixture.OncePerTarget.Contains(a.Case.Method))
            .ToList();
        var corrected = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(corrections, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (a, _) =>
        {
            var (status, _, raw) = await host.CallAsync(a.Case.Method, a.Case.Valid(a.Case.RequestId!));
            if (status != 200) corrected.Add($"{Describe(a)} then valid: {status} {raw[..Math.Min(raw.Length, 200)]}");
        });
        Assert.True(corrected.IsEmpty, $"{corrected.Count} of {corrections.Count} corrected calls refused:\n" + string.Join("\n", corrected.Order().Take(25)));
    }

    private IEnumerable<Case> Generate()
    {
        foreach (var (method, valid) in fixture.Routes)
        {
            foreach (var path in Paths(valid("TEMPLATE")))
            {
                foreach (var extreme in Extremes)
                {
                    var id = GspRequests.NewId("X");
                    var body = valid(id);
                    var names = path.Split('.');
                    var parent = names[..^1].Aggregate(body, (o, n) => o[n]!.AsObject());
                    const string Placeholder = "@@RAW@@";
                    parent[names[^1]] = extreme.Raw is null ? extreme.Value() : JsonValue.Create(Placeholder);
                    var text = body.ToJsonString();
                    if (extreme.Raw is not null) text = text.Replace("\"" + Placeholder + "\"", extreme.Raw, StringComparison.Ordinal);
                    // A case whose requestId was replaced carries the replacement (which cases share: none is
                    // corrected), or none at all.
                    var requestId = path switch
                    {
                        "requestHeader" => null,
                        "requestHeader.requestId" => body["requestHeader"]!["requestId"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null,
                        _ => id,
                    };
                    yield return new Case(method, valid, path, extreme, requestId, path != "requestHeader.requestId", Encoding.UTF8.GetBytes(text));
                }
            }
        }
    }

    /// <summary>Every member of the request, objects included, as a dotted path.</summary>
    private static IEnumerable<string> Paths(JsonObject root, string prefix = "")
    {
        foreach (var (name, value) in root)
        {
            var path = prefix + name;
            yield return path;
            if (value is JsonObject child)
                foreach (var p in Paths(child, path + ".")) yield return p;
        }
    }
}
