using System.Text.RegularExpressions;
using Payments.Core.Hosting;
using Payments.Tests.TestSupport;
using Payments.Core.Idempotency;

namespace Payments.Tests.Consistency;

/// <summary>infra/ compiles and lints clean with the Bicep CLI (module parameters, outputs, property
/// types and API versions are the compiler's to check), and what it compiles to wires the app:
/// tables, queues, Key Vault secrets.</summary>
[Trait("Category", Category.Consistency)]
public class BicepWiringTests
{
    [Fact]
    public void Main_bicep_compiles_without_a_diagnostic()
    {
        var build = Bicep.MainBuild;
        Assert.True(build.ExitCode == 0 && build.Diagnostics.Length == 0, $"bicep build {Infra.Main}: {build}");
        Assert.Equal(8, Bicep.Resources().Count(r => r.Module == "main"));
    }

    [Fact]
    public void The_parameter_file_compiles_without_a_diagnostic_against_main_bicep()
    {
        Bicep.AssertCompilesCleanAgainstMain(Bicep.ParametersBuild, "infra/main.bicepparam");
        Assert.Equal("sandbox", Bicep.Parameters.GetProperty("environmentName").GetProperty("value").GetString());
    }

    /// <summary>Linter rules at "warning" (the default level, or raised in infra/bicepconfig.json) fail here as errors do.</summary>
    [Fact]
    public void Lint_reports_nothing()
    {
        var lint = Bicep.Lint;
        Assert.True(lint.ExitCode == 0 && lint.Diagnostics.Length == 0 && lint.Output.Trim().Length == 0, $"bicep lint infra/**/*.bicep: {lint}{lint.Output}");
    }

    [Fact]
    public void Storage_declares_every_table_and_queue_with_its_poison_twin_and_no_other()
    {
        var tables = Bicep.StringArrayVariable("storage", "tableNames");
        var queues = Bicep.StringArrayVariable("storage", "queueNames");
        Assert.Equal(TableNames.All.Order(), tables.Order());
        Assert.Equal(QueueNames.All.SelectMany(q => new[] { q, QueueNames.Poison(q) }).Order(), queues.Order());
        // ...and the copy loops really create them.
        AssertLoopOver("Microsoft.Storage/storageAccounts/tableServices/tables", "tableNames");
        AssertLoopOver("Microsoft.Storage/storageAccounts/queueServices/queues", "queueNames");

        static void AssertLoopOver(string type, string variable)
        {
            var resource = Assert.Single(Bicep.ResourcesOf("storage", type));
            Assert.Equal($"[length(variables('{variable}'))]", resource.GetProperty("copy").GetProperty("count").GetString());
            Assert.Contains($"variables('{variable}')[copyIndex()]", resource.GetProperty("name").GetString());
        }
    }

    [Fact]
    public void The_function_app_references_only_secrets_the_vault_declares_and_the_guide_sets_them()
    {
        var vault = Bicep.Module("keyvault").GetProperty("template");
        var names = Bicep.Resolve(vault, vault.GetProperty("outputs").GetProperty("secretNames").GetProperty("value"))
            .EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        Assert.NotEmpty(names);
        // The secret resources are written from the same names.
        var written = Bicep.Resolve(vault, vault.GetProperty("variables").GetProperty("values")).EnumerateArray()
            .Select(v => v.GetProperty("name").GetString()!).ToList();
        Assert.All(written, w => Assert.Matches(@"^\[variables\('names'\)\.\w+\]$", w));
        Assert.Equal(names.Keys.Order(), written.Select(w => Regex.Match(w, @"\.(\w+)\]$").Groups[1].Value).Order());

        Assert.Matches(@"^\[reference\(resourceId\('Microsoft\.Resources/deployments', 'keyvault'\)[^)]*\)\.outputs\.secretNames\.value\]$",
            Bicep.Module("functionapp").GetProperty("parameters").GetProperty("secretNames").GetProperty("value").GetString());
        var referenced = Bicep.AppSettings()
            .SelectMany(s => Regex.Matches(s.Value, @"parameters\('secretNames'\)\.(\w+)").Select(m => (Setting: s.Name, Secret: m.Groups[1].Value)))
            .ToList();
        Assert.NotEmpty(referenced);
        Repo.NoProblems("App settings referencing a secret the keyvault module does not declare",
            referenced.Where(r => !names.ContainsKey(r.Secret)).Select(r => $"{r.Setting}: secretNames.{r.Secret}"));
        var guide = Repo.Read("docs/deploy.md");
        Repo.NoProblems("Key Vault secrets the deploy guide does not mention",
            names.Values.Where(n => !guide.Contains(n, StringComparison.Ordinal)));
    }
}
