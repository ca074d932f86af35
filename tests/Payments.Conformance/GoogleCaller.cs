using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Payments.Core.Security;
using Payments.StandIns.Gsp;

namespace Payments.Conformance;

/// <summary>An answer as Google sees it: the status and the opened (decrypted, verified) body.</summary>
/// <param name="Opened">the body opened with Google's envelope (false: empty, or it did not open)</param>
public sealed record Answer(int Status, string Text, JsonNode? Json, bool Opened)
{
    public override string ToString() => $"HTTP {Status}{(Text.Length == 0 ? ", no body" : Opened ? "" : ", body did not open")}: {Shorten(Text)}";
    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}

/// <summary>Calls the endpoint as Google does (sealed protocol calls) and as the store systems do (the internal
/// store-payment route).</summary>
public sealed class GoogleCaller(ConformanceOptions options, GoogleSide side) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = options.BaseUrl, Timeout = options.Timeout };

    public GoogleSide Side => side;

    public Task<Answer> PostAsync(string route, JsonObject request, IMessageEnvelope? sealWith = null) =>
        PostTextAsync(route, request.ToJsonString(), sealWith);

    /// <summary>Seals <paramref name="plain"/> (JSON or not) and posts it; the answer is opened with Google's envelope.</summary>
    public async Task<Answer> PostTextAsync(string route, string plain, IMessageEnvelope? sealWith = null)
    {
        using var content = GspRequests.Sealed(plain, sealWith ?? side.Google);
        using var response = await _http.PostAsync(route, content).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        var status = (int)response.StatusCode;
        if (bytes.Length == 0) return new Answer(status, "", null, false);
        string text;
        try { text = Encoding.UTF8.GetString(side.Google.Open(bytes)); }
        catch (EnvelopeException) { return new Answer(status, Encoding.UTF8.GetString(bytes), null, false); }
        JsonNode? json;
        try { json = JsonNode.Parse(text); }
        catch (JsonException) { json = null; }
        return new Answer(status, text, json, true);
    }

    /// <summary>A store payment of <paramref name="referenceNumber"/> through the internal route (plain JSON).</summary>
    public async Task<Answer> PayAsync(string referenceNumber, string transactionId)
    {
        using var request = GspRequests.StorePaymentRequest(referenceNumber, transactionId, options.Account,
            options.InternalKey ?? throw new InvalidOperationException("a store payment needs --internal-key"), options.FunctionKey);
        using var response = await _http.SendAsync(request).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        JsonNode? json;
        try { json = text.Length == 0 ? null : JsonNode.Parse(text); }
        catch (JsonException) { json = null; }
        return new Answer((int)response.StatusCode, text, json, true);
    }

    public void Dispose() => _http.Dispose();
}
