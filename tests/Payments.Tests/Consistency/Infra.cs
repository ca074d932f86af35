using System.Text.RegularExpressions;

namespace Payments.Tests.Consistency;

/// <summary>Where infra/ is (what it compiles to: <see cref="Bicep"/>).</summary>
internal static class Infra
{
    public const string Folder = "infra";
    public const string Main = "infra/main.bicep";
    public const string StorageModule = "infra/modules/storage.bicep";

    public static IReadOnlyList<string> BicepFiles => Repo.Files(Folder, ".bicep");

    /// <summary>The string literals of <c>var {name} = [ … ]</c> in a Bicep file.</summary>
    public static IReadOnlyList<string> StringArrayVariable(string file, string name)
    {
        var text = Repo.WithoutComments(Repo.Read(file));
        var match = Regex.Match(text, @"\bvar\s+" + Regex.Escape(name) + @"\s*=\s*\[(.*?)\]", RegexOptions.Singleline);
        Assert.True(match.Success, $"{file} has no 'var {name} = [...]'.");
        return Regex.Matches(match.Groups[1].Value, @"'([^']*)'").Select(m => m.Groups[1].Value).ToList();
    }
}
