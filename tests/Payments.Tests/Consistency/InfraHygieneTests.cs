using System.Text.RegularExpressions;

namespace Payments.Tests.Consistency;

/// <summary>infra/ is self-contained, carries no secret, and uses only API versions verified to exist.</summary>
public class InfraHygieneTests
{
    /// <summary>Resource type API versions checked against the Azure template reference / published
    /// templates. Add a version here only after checking it exists for that type.</summary>
    private static readonly HashSet<string> VerifiedApiVersions = new(StringComparer.OrdinalIgnoreCase)
    {
        "Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31",
        "Microsoft.Storage/storageAccounts@2023-05-01",
        "Microsoft.Storage/storageAccounts/blobServices@2023-05-01",
        "Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01",
        "Microsoft.Storage/storageAccounts/queueServices@2023-05-01",
        "Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01",
        "Microsoft.Storage/storageAccounts/tableServices@2023-05-01",
        "Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01",
        "Microsoft.OperationalInsights/workspaces@2023-09-01",
        "Microsoft.Insights/components@2020-02-02",
        "Microsoft.KeyVault/vaults@2023-07-01",
        "Microsoft.KeyVault/vaults/secrets@2023-07-01",
        "Microsoft.Web/serverfarms@2024-04-01",
        "Microsoft.Web/sites@2024-04-01",
        "Microsoft.Authorization/roleAssignments@2022-04-01",
    };

    private static readonly (string Pattern, string What)[] Forbidden =
    [
        ("AccountKey=", "a storage account key"),
        ("DefaultEndpointsProtocol", "a storage connection string"),
        ("SharedAccessSignature", "a SAS connection string"),
        ("SharedAccessKey", "a shared access key"),
        ("InstrumentationKey", "an Application Insights instrumentation key"),
        ("listKeys(", "listKeys() (shared keys are off; use managed identity)"),
        ("listConnectionStrings(", "a listed connection string"),
        ("-----BEGIN", "a PEM block"),
        ("BEGIN PGP", "a PGP armor block"),
        ("UseDevelopmentStorage", "the Azurite connection string"),
    ];

    private static IReadOnlyList<string> InfraFiles() =>
        Directory.EnumerateFiles(Repo.PathOf(Infra.Folder), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Repo.Root, f).Replace(Path.DirectorySeparatorChar, '/')).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public void Infra_holds_no_literal_secret_or_connection_string()
    {
        var files = InfraFiles();
        Assert.Contains(Infra.Main, files);
        Repo.NoProblems("Secrets or connection strings in infra/",
            from f in files
            let text = Repo.Read(f)
            from p in Forbidden
            where text.Contains(p.Pattern, StringComparison.OrdinalIgnoreCase)
            select $"{f}: {p.Pattern} ({p.What})");
    }

    [Fact]
    public void Every_module_is_a_local_file_that_exists()
    {
        var problems = new List<string>();
        var modules = 0;
        foreach (var file in Infra.BicepFiles)
        {
            foreach (Match m in Regex.Matches(Repo.WithoutComments(Repo.Read(file)), @"\bmodule\s+\w+\s+'([^']+)'"))
            {
                modules++;
                var path = m.Groups[1].Value;
                if (Regex.IsMatch(path, "^(br|ts)[:/]", RegexOptions.IgnoreCase))
                    problems.Add($"{file}: registry/template-spec module '{path}' (infra/ must be self-contained)");
                else if (!File.Exists(Path.Combine(Path.GetDirectoryName(Repo.PathOf(file))!, path)))
                    problems.Add($"{file}: module '{path}' does not exist");
            }
        }
        Assert.True(modules > 0, $"{Infra.Main} declares no module.");
        Repo.NoProblems("Module references in infra/", problems);
        Assert.DoesNotContain(InfraFiles(), f => Repo.Read(f).Contains("'br/", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Every_secure_parameter_has_no_default_but_empty_and_no_value_in_parameter_files()
    {
        var problems = new List<string>();
        var secureInMain = new List<string>();
        foreach (var file in Infra.BicepFiles)
        {
            var lines = Repo.WithoutComments(Repo.Read(file)).Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                if (!lines[i].TrimStart().StartsWith("@secure()", StringComparison.Ordinal)) continue;
                var j = i + 1;
                while (j < lines.Length && !lines[j].TrimStart().StartsWith("param ", StringComparison.Ordinal)) j++;
                var param = Regex.Match(j < lines.Length ? lines[j] : "", @"param\s+(\w+)\s+\w+\s*(?:=\s*(.*?))?\s*$");
                if (!param.Success) { problems.Add($"{file}: @secure() on line {i + 1} is not followed by a param"); continue; }
                var name = param.Groups[1].Value;
                if (file == Infra.Main) secureInMain.Add(name);
                if (param.Groups[2].Success && param.Groups[2].Value != "''")
                    problems.Add($"{file}: @secure() param {name} has the default {param.Groups[2].Value}");
            }
        }
        Assert.NotEmpty(secureInMain);
        foreach (var file in Repo.Files(Infra.Folder, ".bicepparam").Concat(Repo.Files(Infra.Folder, ".json")))
        {
            var text = Repo.WithoutComments(Repo.Read(file));
            problems.AddRange(secureInMain.Where(n => Regex.IsMatch(text, @"(\bparam\s+" + n + @"\s*=)|(""" + n + @"""\s*:)"))
                .Select(n => $"{file}: sets the secure parameter {n} (put secrets into Key Vault instead)"));
        }
        Repo.NoProblems("Secure parameters", problems);
    }

    [Fact]
    public void Parameter_files_use_main_bicep()
    {
        var files = Repo.Files(Infra.Folder, ".bicepparam");
        Assert.NotEmpty(files);
        Assert.All(files, f => Assert.Matches(@"using\s+'\./main\.bicep'", Repo.Read(f)));
    }

    [Fact]
    public void Only_verified_api_versions_are_used()
    {
        var used = Infra.BicepFiles
            .SelectMany(f => Regex.Matches(Repo.WithoutComments(Repo.Read(f)), @"'((?:Microsoft\.[A-Za-z]+)/[A-Za-z/]+@[0-9]{4}-[0-9]{2}-[0-9]{2}(?:-preview)?)'")
                .Select(m => (Type: m.Groups[1].Value, File: f)))
            .ToList();
        Assert.NotEmpty(used);
        Repo.NoProblems("Resource API versions not in the verified list (check the version exists for the type, then add it to VerifiedApiVersions)",
            used.Where(u => !VerifiedApiVersions.Contains(u.Type)).Select(u => $"{u.Type} in {u.File}"));
    }

    [Fact]
    public void The_function_app_is_flex_consumption_dotnet_isolated_10_with_shared_keys_off()
    {
        var app = Repo.WithoutComments(Repo.Read("infra/modules/functionapp.bicep"));
        Assert.Matches(@"name:\s*'FC1'", app);
        Assert.Matches(@"tier:\s*'FlexConsumption'", app);
        Assert.Matches(@"kind:\s*'functionapp,linux'", app);
        Assert.Matches(@"runtime:\s*\{\s*name:\s*'dotnet-isolated'\s*version:\s*'10\.0'", app);
        Assert.Matches(@"type:\s*'UserAssignedIdentity'", app);
        Assert.Matches(@"keyVaultReferenceIdentity:", app);
        Assert.Matches(@"@Microsoft\.KeyVault\(SecretUri=", app);
        var storage = Repo.WithoutComments(Repo.Read(Infra.StorageModule));
        foreach (var setting in new[] { @"allowSharedKeyAccess:\s*false", @"allowBlobPublicAccess:\s*false", @"minimumTlsVersion:\s*'TLS1_2'", @"supportsHttpsTrafficOnly:\s*true", @"kind:\s*'StorageV2'" })
            Assert.Matches(setting, storage);
        Assert.Matches(@"DisableLocalAuth:\s*true", Repo.WithoutComments(Repo.Read("infra/modules/monitoring.bicep")));
        Assert.Matches(@"enableRbacAuthorization:\s*true", Repo.WithoutComments(Repo.Read("infra/modules/keyvault.bicep")));
    }

    [Fact]
    public void Role_assignments_use_the_built_in_role_ids()
    {
        var roles = Repo.WithoutComments(Repo.Read("infra/modules/roles.bicep"));
        foreach (var (role, id) in new[]
        {
            ("Storage Blob Data Owner", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"),
            ("Storage Queue Data Contributor", "974c5e8b-45b9-4653-ba55-5f855dd0fb88"),
            ("Storage Table Data Contributor", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"),
            ("Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6"),
            ("Monitoring Metrics Publisher", "3913510d-42f4-4e42-8a64-420c390055eb"),
        })
            Assert.True(roles.Contains(id, StringComparison.OrdinalIgnoreCase), $"infra/modules/roles.bicep does not assign {role} ({id}).");
        var assignmentsElsewhere = Infra.BicepFiles.Where(f => f != "infra/modules/roles.bicep"
            && Repo.Read(f).Contains("Microsoft.Authorization/roleAssignments", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(assignmentsElsewhere);
    }
}
