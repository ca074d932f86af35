using System.Globalization;
using System.Text.Json;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Consistency;

/// <summary>host.json holds the values both the Functions host and the local host's queue pumps use.</summary>
[Trait("Category", Category.Unit)]
public class HostJsonConsistencyTests
{
    private static JsonElement Extensions()
    {
        var json = JsonDocument.Parse(Repo.Read("host.json"), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var root = json.RootElement;
        Assert.True(root.TryGetProperty("version", out var version) && version.GetString() == "2.0", "host.json: \"version\" must be \"2.0\".");
        Assert.True(root.TryGetProperty("extensions", out var extensions), "host.json has no \"extensions\".");
        return extensions;
    }

    [Fact]
    public void Routes_have_no_prefix()
    {
        var extensions = Extensions();
        var prefix = default(JsonElement);
        Assert.True(extensions.TryGetProperty("http", out var http) && http.TryGetProperty("routePrefix", out prefix),
            "host.json: extensions.http.routePrefix is missing (the default \"api\" would put every route under /api).");
        Assert.True(prefix.ValueKind == JsonValueKind.String && prefix.GetString() == "",
            $"host.json: extensions.http.routePrefix is {prefix}, must be \"\" so that the routes are exactly GSP's paths.");
    }

    [Fact]
    public void Queue_settings_read_by_the_local_pumps_are_present_and_valid()
    {
        var extensions = Extensions();
        Assert.True(extensions.TryGetProperty("queues", out var queues), "host.json: extensions.queues is missing.");
        var problems = new List<string>();

        void Int(string key, int min, int max)
        {
            if (!queues.TryGetProperty(key, out var v)) problems.Add($"{key} is missing");
            else if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var n) || n < min || n > max)
                problems.Add($"{key} = {v}, expected an integer in [{min}, {max}]");
        }

        void Duration(string key, TimeSpan min)
        {
            if (!queues.TryGetProperty(key, out var v)) problems.Add($"{key} is missing");
            else if (v.ValueKind != JsonValueKind.String || !TimeSpan.TryParseExact(v.GetString(), "c", CultureInfo.InvariantCulture, out var t) || t < min)
                problems.Add($"{key} = {v}, expected a \"hh:mm:ss\" duration of at least {min}");
        }

        Int("batchSize", 1, 32);              // the Functions host's maximum batch size is 32
        Int("newBatchThreshold", 0, 1000);
        Int("maxDequeueCount", 1, 1000);
        Duration("visibilityTimeout", TimeSpan.Zero);
        Duration("maxPollingInterval", TimeSpan.FromMilliseconds(100)); // the host's minimum
        if (!queues.TryGetProperty("messageEncoding", out var encoding)) problems.Add("messageEncoding is missing");
        else if (encoding.GetString() is not ("base64" or "none")) problems.Add($"messageEncoding = {encoding}, expected \"base64\" or \"none\"");

        Repo.NoProblems("host.json extensions.queues", problems);
    }
}
