using System.Text.Json.Nodes;
using Payments.Tests.Consistency;

namespace Payments.Tests.Functions;

/// <summary>The deployable package as <c>scripts/publish.sh</c> writes it (the test command runs it first):
/// the folder artifacts/functions and artifacts/functions.zip.</summary>
internal static class PublishedApp
{
    public const string Folder = "artifacts/functions";
    public const string Zip = "artifacts/functions.zip";

    public static string PathOf(string file)
    {
        var path = Repo.PathOf(Folder + "/" + file);
        Assert.True(File.Exists(path), $"{Folder}/{file} is missing: publish the app first (bash scripts/publish.sh; bash scripts/test.sh does).");
        return path;
    }

    /// <summary>functions.metadata: one entry per [Function], as the Functions host reads it.</summary>
    public static IReadOnlyList<JsonObject> Metadata() =>
        JsonNode.Parse(File.ReadAllText(PathOf("functions.metadata")))!.AsArray().Select(n => n!.AsObject()).ToList();

    public static JsonObject Trigger(JsonObject function) =>
        function["bindings"]!.AsArray().Select(b => b!.AsObject()).Single(b => b["direction"]!.GetValue<string>() == "In"
            && b["type"]!.GetValue<string>().EndsWith("Trigger", StringComparison.Ordinal));
}
