using System.Globalization;
using System.Text.Json.Nodes;
using Payments.Core.Protocol;
using Payments.StandIns.Gsp;

namespace Payments.Conformance;

/// <summary>
/// The checks every method goes through (docs/protocol.md §3–§5): its success path, a replay (same requestId and
/// body, fresh timestamp: the same answer but for <c>responseTimestamp</c>), 412 on a changed body (and the first
/// answer unchanged after it), and the ErrorResponses any call can get: stale and future timestamps, another
/// major version, a missing field, a malformed requestId, an account we do not serve. Every requestId starts
/// with the run id, so no two runs share one.
/// </summary>
public sealed class ProtocolChecks(ConformanceOptions options, GoogleCaller caller, CheckReport report)
{
    /// <summary>Far beyond the 60 s of docs/protocol.md §3, so a few seconds of clock skew between us and the endpoint never matter.</summary>
    private static readonly TimeSpan TimestampOffset = TimeSpan.FromMinutes(10);
    private int _sequence;

    public ConformanceOptions Options => options;
    public GoogleCaller Caller => caller;
    public string Account => options.Account;
    public string Currency => options.Currency;

    /// <summary>A new requestId (or mandate id) of this run: the run id, a tag, a sequence number.</summary>
    public string NewId(string tag) => string.Create(CultureInfo.InvariantCulture, $"{options.RunId}{tag}{Interlocked.Increment(ref _sequence):D4}");

    public Task<bool> CheckAsync(ProtocolMethod method, string check, Func<Task> body) => report.RunAsync($"{method.Route} {check}", body);

    public void Skip(ProtocolMethod method, string check, string reason) => report.Skip($"{method.Route} {check}", reason);

    /// <summary>Success, replay identical, 412 on <paramref name="changed"/> (same requestId, another body).</summary>
    /// <param name="shape">checks the success answer's fields</param>
    /// <returns>the first answer, or null when the success path failed</returns>
    public async Task<JsonNode?> IdempotentAsync(ProtocolMethod method, JsonObject request, JsonObject changed, Action<JsonNode> shape)
    {
        Answer? first = null;
        var ok = await CheckAsync(method, "success", async () =>
        {
            first = await caller.PostAsync(method.Route, request).ConfigureAwait(false);
            shape(Expect.Success(first, method));
        }).ConfigureAwait(false);
        if (!ok)
        {
            Skip(method, "replay identical", "the success path failed");
            Skip(method, "412 on a changed body", "the success path failed");
            return null;
        }
        await CheckAsync(method, "replay identical", async () =>
        {
            var again = await caller.PostAsync(method.Route, GspRequests.Refreshed(request)).ConfigureAwait(false);
            Expect.Success(again, method);
            Expect.Equal(Expect.ReplayForm(first!), Expect.ReplayForm(again), "the replayed answer (but for responseTimestamp)");
        }).ConfigureAwait(false);
        await CheckAsync(method, "412 on a changed body", async () =>
        {
            Expect.Error(await caller.PostAsync(method.Route, GspRequests.Refreshed(changed)).ConfigureAwait(false), method, 412, "IDEMPOTENCY_VIOLATION");
            var after = await caller.PostAsync(method.Route, GspRequests.Refreshed(request)).ConfigureAwait(false);
            Expect.Success(after, method);
            Expect.Equal(Expect.ReplayForm(first!), Expect.ReplayForm(after), "the answer after the 412 (the 412 changed something)");
        }).ConfigureAwait(false);
        return first!.Json;
    }

    /// <summary>The ErrorResponses of docs/protocol.md §3/§4 that any call of <paramref name="method"/> can get, each on a new requestId.</summary>
    /// <param name="fresh">a valid request of the method under the given requestId</param>
    /// <param name="requiredField">a top-level field the method requires</param>
    /// <param name="carriesAccount">the request names a PIAID (every method but the v1 echoes)</param>
    public async Task HeaderErrorsAsync(ProtocolMethod method, Func<string, JsonObject> fresh, string requiredField, bool carriesAccount = true)
    {
        await ErrorAsync(method, "stale timestamp", 400, "REQUEST_TIMESTAMP_OUT_OF_RANGE",
            GspRequests.At(fresh(NewId("T")), DateTimeOffset.UtcNow - TimestampOffset)).ConfigureAwait(false);
        await ErrorAsync(method, "future timestamp", 400, "REQUEST_TIMESTAMP_OUT_OF_RANGE",
            GspRequests.At(fresh(NewId("T")), DateTimeOffset.UtcNow + TimestampOffset)).ConfigureAwait(false);
        var otherMajor = fresh(NewId("V"));
        otherMajor["requestHeader"]!["protocolVersion"]!["major"] = method.Version == 2 ? 1 : 7;
        await ErrorAsync(method, "another major version", 400, "INVALID_API_VERSION", otherMajor).ConfigureAwait(false);
        var missing = fresh(NewId("F"));
        missing.Remove(requiredField);
        await ErrorAsync(method, $"missing {requiredField}", 400, "MISSING_REQUIRED_FIELD", missing).ConfigureAwait(false);
        var malformed = fresh(NewId("I"));
        malformed["requestHeader"]!["requestId"] = "not a valid id";
        await ErrorAsync(method, "malformed requestId", 400, "INVALID_FIELD_VALUE", malformed).ConfigureAwait(false);
        if (carriesAccount)
            await ErrorAsync(method, "unknown account", 404, "INVALID_IDENTIFIER", GspRequests.ForAccount(fresh(NewId("A")), "Unknown" + options.RunId)).ConfigureAwait(false);
    }

    public Task<bool> ErrorAsync(ProtocolMethod method, string check, int status, string code, JsonObject request) =>
        CheckAsync(method, check, async () => Expect.Error(await caller.PostAsync(method.Route, request).ConfigureAwait(false), method, status, code));

    /// <summary>A call the checks need as a step (a second object, a payment): any other answer fails the check.</summary>
    public async Task<JsonNode> StepAsync(ProtocolMethod method, JsonObject request, string what)
    {
        var answer = await caller.PostAsync(method.Route, request).ConfigureAwait(false);
        if (answer.Status != 200 || answer.Json is null) Expect.Fail($"{what} ({method.Route}) failed: {answer}");
        return answer.Json!;
    }

    /// <summary>Pays <paramref name="referenceNumber"/> through the internal route; skips the check without --internal-key.</summary>
    public async Task PayAsync(string referenceNumber)
    {
        if (options.InternalKey is null) throw new CheckSkippedException("needs a paid reference number: give --internal-key");
        var answer = await caller.PayAsync(referenceNumber, NewId("P")).ConfigureAwait(false);
        if (answer.Status != 200) Expect.Fail($"the store payment of {referenceNumber} failed: {answer}");
    }

    /// <summary>A non-JSON body, sealed as Google seals (docs/protocol.md §7: decrypts, does not parse).</summary>
    public const string NotJson = "this is not JSON";
}
