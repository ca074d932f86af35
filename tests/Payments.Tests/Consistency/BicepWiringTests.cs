using System.Text.RegularExpressions;

namespace Payments.Tests.Consistency;

/// <summary>What the Bicep compiler would check but cannot here (no Bicep CLI on the build machines):
/// main.bicep gives each module exactly its parameters, reads only outputs the module declares, and
/// the function app references only Key Vault secrets the vault module names.</summary>
public class BicepWiringTests
{
    internal sealed record ModuleUse(string Symbol, string Path, IReadOnlyList<string> GivenParams);

    /// <summary>The text between the brace at <paramref name="open"/> and its match (strings skipped).</summary>
    private static string Block(string text, int open)
    {
        var depth = 0;
        var inString = false;
        for (var i = open; i < text.Length; i++)
        {
            var c = text[i];
            if (inString) { if (c == '\\') i++; else if (c == '\'') inString = false; continue; }
            if (c == '\'') inString = true;
            else if (c == '{') depth++;
            else if (c == '}' && --depth == 0) return text[(open + 1)..i];
        }
        throw new InvalidOperationException("Unbalanced braces.");
    }

    /// <summary>Keys at the top level of an object body.</summary>
    private static IReadOnlyList<string> TopLevelKeys(string body)
    {
        var keys = new List<string>();
        var depth = 0;
        foreach (var line in body.Split('\n'))
        {
            if (depth == 0 && Regex.Match(line, @"^\s*(\w+)\s*:") is { Success: true } m) keys.Add(m.Groups[1].Value);
            var unquoted = Regex.Replace(line, @"'(?:[^'\\]|\\.)*'", "");
            depth += unquoted.Count(c => c is '{' or '[') - unquoted.Count(c => c is '}' or ']');
        }
        return keys;
    }

    private static IReadOnlyList<ModuleUse> Modules()
    {
        var main = Repo.WithoutComments(Repo.Read(Infra.Main));
        var result = new List<ModuleUse>();
        foreach (Match m in Regex.Matches(main, @"\bmodule\s+(\w+)\s+'([^']+)'\s*=\s*\{"))
        {
            var body = Block(main, m.Index + m.Length - 1);
            var paramsMatch = Regex.Match(body, @"\bparams\s*:\s*\{");
            var given = paramsMatch.Success ? TopLevelKeys(Block(body, paramsMatch.Index + paramsMatch.Length - 1)) : [];
            result.Add(new ModuleUse(m.Groups[1].Value, "infra/" + m.Groups[2].Value, given));
        }
        return result;
    }

    /// <summary>(name, has a default) of every param of a Bicep file.</summary>
    private static IReadOnlyList<(string Name, bool HasDefault)> Params(string file) =>
        Regex.Matches(Repo.WithoutComments(Repo.Read(file)), @"^\s*param\s+(\w+)\s+[\w.]+(\s*=)?", RegexOptions.Multiline)
            .Select(m => (m.Groups[1].Value, m.Groups[2].Success)).ToList();

    private static IReadOnlyList<string> Outputs(string file) =>
        Regex.Matches(Repo.WithoutComments(Repo.Read(file)), @"^\s*output\s+(\w+)\s", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).ToList();

    [Fact]
    public void Main_gives_every_module_its_required_parameters_and_no_unknown_one()
    {
        var modules = Modules();
        Assert.True(modules.Count >= 6, $"Expected the identity, storage, monitoring, keyvault, roles and functionapp modules in {Infra.Main}, found {modules.Count}.");
        var problems = new List<string>();
        foreach (var module in modules.Where(m => File.Exists(Repo.PathOf(m.Path))))
        {
            var declared = Params(module.Path);
            problems.AddRange(declared.Where(p => !p.HasDefault && !module.GivenParams.Contains(p.Name))
                .Select(p => $"module {module.Symbol} ({module.Path}): required param {p.Name} is not given"));
            problems.AddRange(module.GivenParams.Where(g => declared.All(p => p.Name != g))
                .Select(g => $"module {module.Symbol} ({module.Path}): param {g} is given but not declared"));
        }
        Repo.NoProblems("Module parameters", problems);
    }

    [Fact]
    public void Main_reads_only_declared_module_outputs()
    {
        var main = Repo.WithoutComments(Repo.Read(Infra.Main));
        var modules = Modules().ToDictionary(m => m.Symbol);
        var problems = new List<string>();
        foreach (Match m in Regex.Matches(main, @"\b(\w+)\.outputs\.(\w+)"))
        {
            if (!modules.TryGetValue(m.Groups[1].Value, out var module)) { problems.Add($"{m.Value}: no module {m.Groups[1].Value}"); continue; }
            if (!Outputs(module.Path).Contains(m.Groups[2].Value)) problems.Add($"{m.Value}: {module.Path} declares no output {m.Groups[2].Value}");
        }
        Repo.NoProblems("Module outputs read by main.bicep", problems);
    }

    [Fact]
    public void The_bicepparam_file_sets_only_declared_parameters_and_every_required_one()
    {
        var declared = Params(Infra.Main);
        foreach (var file in Repo.Files(Infra.Folder, ".bicepparam"))
        {
            var set = Regex.Matches(Repo.WithoutComments(Repo.Read(file)), @"^\s*param\s+(\w+)\s*=", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
            Repo.NoProblems($"{file} parameters",
                set.Where(s => declared.All(d => d.Name != s)).Select(s => $"{s} is not a parameter of main.bicep")
                    .Concat(declared.Where(d => !d.HasDefault && !set.Contains(d.Name)).Select(d => $"required parameter {d.Name} is not set")));
        }
    }

    [Fact]
    public void The_function_app_references_only_secrets_the_vault_module_names_and_the_guide_sets_them()
    {
        var vault = Repo.WithoutComments(Repo.Read("infra/modules/keyvault.bicep"));
        var namesMatch = Regex.Match(vault, @"\bvar\s+names\s*=\s*\{");
        Assert.True(namesMatch.Success, "infra/modules/keyvault.bicep has no 'var names = { ... }'.");
        var names = Regex.Matches(Block(vault, namesMatch.Index + namesMatch.Length - 1), @"(\w+)\s*:\s*'([^']+)'")
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var app = Repo.WithoutComments(Repo.Read("infra/modules/functionapp.bicep"));
        var referenced = Regex.Matches(app, @"\bsecretNames\.(\w+)").Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.NotEmpty(referenced);
        Repo.NoProblems("Secrets referenced by functionapp.bicep but not named in keyvault.bicep",
            referenced.Where(r => !names.ContainsKey(r)));
        var guide = Repo.Read("docs/deploy.md");
        Repo.NoProblems("Key Vault secrets the deploy guide does not mention",
            names.Values.Where(n => !guide.Contains(n, StringComparison.Ordinal)));
    }
}
