using System.Text.RegularExpressions;

namespace Payments.Tests.Consistency;

/// <summary>Files of the repository, read by the consistency tests.</summary>
internal static class Repo
{
    private static readonly Lazy<string> root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Payments.Functions.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds Payments.Functions.sln.");
    });

    public static string Root => root.Value;

    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    public static string Read(string relative)
    {
        var path = PathOf(relative);
        Assert.True(File.Exists(path), $"{relative} is missing.");
        return File.ReadAllText(path);
    }

    /// <summary>Files under a folder with the given extension, skipping bin/ and obj/; paths relative to the root, '/'-separated.</summary>
    public static IReadOnlyList<string> Files(string relativeFolder, string extension, bool recursive = true)
    {
        var folder = PathOf(relativeFolder);
        if (!Directory.Exists(folder)) return [];
        return Directory.EnumerateFiles(folder, "*" + extension, recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
            .Select(f => Path.GetRelativePath(Root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(f => !f.Split('/').Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>C# or Bicep text without // and /* */ comments (string literals containing "//", such as URLs, are kept).</summary>
    public static string WithoutComments(string text) =>
        Regex.Replace(text, """("(?:[^"\\\n]|\\.)*")|('(?:[^'\\\n]|\\.)*')|(//[^\n]*)|(/\*.*?\*/)""",
            m => m.Groups[3].Success || m.Groups[4].Success ? "" : m.Value, RegexOptions.Singleline);

    /// <summary>Throws with one line per problem when there are any.</summary>
    public static void NoProblems(string what, IEnumerable<string> problems)
    {
        var list = problems.ToList();
        Assert.True(list.Count == 0, $"{what}:{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", list)}");
    }
}
