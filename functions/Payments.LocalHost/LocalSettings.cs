using System.Text.Json;

namespace Payments.LocalHost;

/// <summary>
/// Reads settings the way the Functions host does locally: the <c>Values</c> of
/// <c>local.settings.json</c> (or, when there is none, <c>local.settings.sample.json</c>), where
/// <c>__</c> separates sections. Environment variables and the command line still win.
/// </summary>
public static class LocalSettings
{
    public static string? FindFile()
    {
        foreach (var folder in CandidateFolders())
        {
            foreach (var name in new[] { "local.settings.json", "local.settings.sample.json" })
            {
                var path = Path.Combine(folder, name);
                if (File.Exists(path)) return path;
            }
        }
        return null;
    }

    public static Dictionary<string, string?> Read(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (document.RootElement.TryGetProperty("Values", out var section))
            foreach (var p in section.EnumerateObject())
                values[p.Name.Replace("__", ":", StringComparison.Ordinal)] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText();
        return values;
    }

    /// <summary>The environment <c>func start</c> gives the worker: the app setting AZURE_FUNCTIONS_ENVIRONMENT
    /// (overrides, then the command line and environment variables, then the local settings), else the
    /// usual ASPNETCORE_/DOTNET_ENVIRONMENT rule (null). Development allows Security:Mode=None.</summary>
    public static string? EnvironmentName(IReadOnlyDictionary<string, string?> local, string[] args, IReadOnlyDictionary<string, string?>? overrides) =>
        new ConfigurationBuilder().AddInMemoryCollection(local).AddEnvironmentVariables().AddCommandLine(args)
            .AddInMemoryCollection(overrides ?? new Dictionary<string, string?>()).Build()[FunctionsEnvironment] is { Length: > 0 } name ? name : null;

    public const string FunctionsEnvironment = "AZURE_FUNCTIONS_ENVIRONMENT";

    /// <summary>The current folder, then the repository root (found from the binaries), then the binaries' folder.</summary>
    private static IEnumerable<string> CandidateFolders()
    {
        yield return Directory.GetCurrentDirectory();
        if (RepositoryRoot() is { } root) yield return root;
        yield return AppContext.BaseDirectory;
    }

    public static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Payments.Functions.sln"))) return dir.FullName;
        return null;
    }
}
