using System.Text.RegularExpressions;

namespace Payments.Tests.Consistency;

/// <summary>What infra/ declares, read from the Bicep text.</summary>
internal static class Infra
{
    public const string Folder = "infra";
    public const string Main = "infra/main.bicep";
    public const string StorageModule = "infra/modules/storage.bicep";

    public static IReadOnlyList<string> BicepFiles => Repo.Files(Folder, ".bicep");

    /// <summary>Every app setting name written as <c>{ name: '…' value: … }</c> (the siteConfig.appSettings shape) in any Bicep file, with the file it is in.</summary>
    public static IReadOnlyList<(string Name, string File)> AppSettings() =>
        BicepFiles
            .SelectMany(f => Regex.Matches(Repo.WithoutComments(Repo.Read(f)), @"\{\s*name:\s*'([^'$]+)'\s*value:")
                .Select(m => (m.Groups[1].Value, f)))
            .ToList();

    /// <summary>The string literals of <c>var {name} = [ … ]</c> in a Bicep file.</summary>
    public static IReadOnlyList<string> StringArrayVariable(string file, string name)
    {
        var text = Repo.WithoutComments(Repo.Read(file));
        var match = Regex.Match(text, @"\bvar\s+" + Regex.Escape(name) + @"\s*=\s*\[(.*?)\]", RegexOptions.Singleline);
        Assert.True(match.Success, $"{file} has no 'var {name} = [...]'.");
        return Regex.Matches(match.Groups[1].Value, @"'([^']*)'").Select(m => m.Groups[1].Value).ToList();
    }
}
