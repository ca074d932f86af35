using System.Text.Json;
using System.Text.RegularExpressions;
using Payments.Core.Hosting;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Consistency;

/// <summary>What infra/ compiles to is self-contained, carries no secret, hands secrets to the app only
/// as Key Vault references, and deploys the app the way it is built (Flex Consumption, .NET 10
/// isolated, identity everywhere, shared keys off). API versions need no list here: a version the
/// compiler has no types for is warning BCP081, which fails <see cref="BicepWiringTests"/>.</summary>
[Trait("Category", Category.Consistency)]
public class InfraHygieneTests
{
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

    /// <summary>Settings holding a secret: in Azure only ever a Key Vault reference (or empty when the scheme is not in use).</summary>
    private static readonly string[] SecretSettings =
    [
        "Security:Pgp:IntegratorPrivateKeys", "Security:Pgp:Passphrase", "Security:Jwe:IntegratorPrivateKeys",
        "BackOffice:CrmCom:Password", "Internal:ApiKey",
    ];

    [Fact]
    public void The_compiled_deployment_holds_no_literal_secret_or_connection_string()
    {
        var compiled = new[] { ("main.bicep", Bicep.Main.GetRawText()), ("main.bicepparam", Bicep.Parameters.GetRawText()) };
        Repo.NoProblems("Secrets or connection strings in what infra/ compiles to",
            from c in compiled
            from p in Forbidden
            where c.Item2.Contains(p.Pattern, StringComparison.OrdinalIgnoreCase)
            select $"{c.Item1}: {p.Pattern} ({p.What})");
    }

    [Fact]
    public void Every_module_is_a_local_file_compiled_inline()
    {
        var deployments = Bicep.Resources().Where(r => r.Resource.GetProperty("type").GetString() == "Microsoft.Resources/deployments").ToList();
        Assert.Equal(["alerts", "functionapp", "identity", "keyvault", "monitoring", "roles", "storage", "workbook"],
            deployments.Select(d => d.Resource.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        Assert.All(deployments, d =>
        {
            Assert.True(d.Resource.GetProperty("properties").TryGetProperty("template", out _), $"module {d.Resource.GetProperty("name")} is not inline");
            Assert.False(d.Resource.GetProperty("properties").TryGetProperty("templateLink", out _), $"module {d.Resource.GetProperty("name")} links a template spec");
        });
        // Registry modules compile inline too (after a restore from the registry): refuse them in the source.
        Repo.NoProblems("Registry or template-spec modules in infra/ (infra/ must be self-contained)",
            Infra.BicepFiles.Where(f => Regex.IsMatch(Repo.WithoutComments(Repo.Read(f)), @"\bmodule\s+\w+\s+'(br|ts)[:/]", RegexOptions.IgnoreCase)));
    }

    [Fact]
    public void Secure_parameters_have_no_default_but_empty_are_set_by_no_parameter_file_and_reach_only_the_vault()
    {
        var main = Bicep.Main;
        var secure = Bicep.SecureParameters(main);
        Assert.NotEmpty(secure);
        var templates = new[] { ("main", main) }
            .Concat(Bicep.Resources().Where(r => r.Resource.GetProperty("type").GetString() == "Microsoft.Resources/deployments")
                .Select(r => (r.Resource.GetProperty("name").GetString()!, r.Resource.GetProperty("properties").GetProperty("template"))));
        var problems = new List<string>();
        foreach (var (name, template) in templates)
            foreach (var parameter in Bicep.SecureParameters(template))
                if (template.GetProperty("parameters").GetProperty(parameter).TryGetProperty("defaultValue", out var value) && value.ToString() != "")
                    problems.Add($"{name}: @secure() param {parameter} has the default {value}");

        var parameterFile = Bicep.Parameters;
        problems.AddRange(secure.Where(s => parameterFile.TryGetProperty(s, out _))
            .Select(s => $"main.bicepparam sets the secure parameter {s} (put secrets into Key Vault instead)"));

        foreach (var (module, _) in templates.Where(t => t.Item1 is not ("main" or "keyvault")))
        {
            var given = Bicep.Module(module).GetProperty("parameters").GetRawText();
            problems.AddRange(secure.Where(s => given.Contains($"parameters('{s}')", StringComparison.Ordinal))
                .Select(s => $"module {module} is given the secure parameter {s}; only the keyvault module may be"));
        }
        Repo.NoProblems("Secure parameters", problems);
    }

    [Fact]
    public void Secrets_reach_the_app_only_as_Key_Vault_references_resolved_with_its_identity()
    {
        var template = Bicep.FunctionAppTemplate;
        var prefix = template.GetProperty("variables").GetProperty("kvPrefix").GetString();
        Assert.Equal("[format('@Microsoft.KeyVault(SecretUri={0}secrets/', parameters('vaultUri'))]", prefix);
        var settings = Bicep.AppSettings().ToDictionary(s => s.Name, s => s.Value);
        var reference = new Regex(@"format\('\{0\}\{1\}/\)', variables\('kvPrefix'\), parameters\('secretNames'\)\.\w+\)");
        var problems = new List<string>();
        foreach (var name in SecretSettings.Select(Payments.Core.Configuration.Settings.EnvironmentName))
        {
            if (!settings.TryGetValue(name, out var value)) { problems.Add($"{name} is not set"); continue; }
            // "[format(...)]" always a reference, or "[if(<scheme in use>, format(...), '')]".
            var always = Regex.IsMatch(value, $@"^\[{reference}\]$");
            var conditional = Regex.IsMatch(value, $@"^\[if\(variables\('\w+'\), {reference}, ''\)\]$");
            if (!always && !conditional) problems.Add($"{name} = {value} (not a Key Vault reference)");
        }
        // Nothing else may carry a secret: no setting is built from a secure parameter.
        problems.AddRange(settings.Where(s => Bicep.SecureParameters(template).Any(p => s.Value.Contains($"parameters('{p}')", StringComparison.Ordinal)))
            .Select(s => $"{s.Key} = {s.Value} (built from a secure parameter)"));
        Repo.NoProblems("Secret settings", problems);

        var site = Bicep.Site.GetProperty("properties");
        Assert.Equal("[parameters('identityId')]", site.GetProperty("keyVaultReferenceIdentity").GetString());
    }

    [Fact]
    public void The_function_app_is_flex_consumption_dotnet_isolated_10_with_shared_keys_off()
    {
        var plan = Assert.Single(Bicep.ResourcesOf("functionapp", "Microsoft.Web/serverfarms"));
        Assert.Equal("FC1", plan.GetProperty("sku").GetProperty("name").GetString());
        Assert.Equal("FlexConsumption", plan.GetProperty("sku").GetProperty("tier").GetString());

        var site = Bicep.Site;
        Assert.Equal("functionapp,linux", site.GetProperty("kind").GetString());
        Assert.Equal("UserAssigned", site.GetProperty("identity").GetProperty("type").GetString());
        var properties = site.GetProperty("properties");
        Assert.True(properties.GetProperty("httpsOnly").GetBoolean());
        var config = properties.GetProperty("functionAppConfig");
        Assert.Equal("dotnet-isolated", config.GetProperty("runtime").GetProperty("name").GetString());
        Assert.Equal("10.0", config.GetProperty("runtime").GetProperty("version").GetString());
        var packageStorage = config.GetProperty("deployment").GetProperty("storage");
        Assert.Equal("blobContainer", packageStorage.GetProperty("type").GetString());
        Assert.Equal("UserAssignedIdentity", packageStorage.GetProperty("authentication").GetProperty("type").GetString());

        var account = Assert.Single(Bicep.ResourcesOf("storage", "Microsoft.Storage/storageAccounts"));
        Assert.Equal("StorageV2", account.GetProperty("kind").GetString());
        var storage = account.GetProperty("properties");
        Assert.False(storage.GetProperty("allowSharedKeyAccess").GetBoolean());
        Assert.False(storage.GetProperty("allowBlobPublicAccess").GetBoolean());
        Assert.True(storage.GetProperty("supportsHttpsTrafficOnly").GetBoolean());
        Assert.Equal("TLS1_2", storage.GetProperty("minimumTlsVersion").GetString());

        var insights = Assert.Single(Bicep.ResourcesOf("monitoring", "Microsoft.Insights/components"));
        Assert.True(insights.GetProperty("properties").GetProperty("DisableLocalAuth").GetBoolean());
        var vault = Assert.Single(Bicep.ResourcesOf("keyvault", "Microsoft.KeyVault/vaults"));
        Assert.True(vault.GetProperty("properties").GetProperty("enableRbacAuthorization").GetBoolean());
    }

    [Fact]
    public void The_app_identity_gets_the_built_in_roles_it_needs_all_in_the_roles_module()
    {
        var assignments = Bicep.Resources().Where(r => r.Resource.GetProperty("type").GetString() == "Microsoft.Authorization/roleAssignments").ToList();
        Assert.All(assignments, a => Assert.Equal("roles", a.Module));
        var roles = Bicep.Module("roles").GetProperty("template").GetProperty("variables").GetProperty("roles");

        // (role, built-in id, scope resource type): built-in role definition IDs are the same in every tenant.
        var needed = new[]
        {
            ("Storage Blob Data Owner", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "Microsoft.Storage/storageAccounts"),
            ("Storage Queue Data Contributor", "974c5e8b-45b9-4653-ba55-5f855dd0fb88", "Microsoft.Storage/storageAccounts"),
            ("Storage Table Data Contributor", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", "Microsoft.Storage/storageAccounts"),
            ("Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6", "Microsoft.KeyVault/vaults"),
            ("Monitoring Metrics Publisher", "3913510d-42f4-4e42-8a64-420c390055eb", "Microsoft.Insights/components"),
        };
        var problems = new List<string>();
        foreach (var (role, id, scope) in needed)
        {
            var key = roles.EnumerateObject().Where(r => r.Value.GetString() == id).Select(r => r.Name).SingleOrDefault();
            if (key is null) { problems.Add($"{role} ({id}) is not in the roles module's role table"); continue; }
            var granted = assignments.Select(a => a.Resource).Any(a =>
                a.GetProperty("properties").GetProperty("roleDefinitionId").GetString() == $"[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', variables('roles').{key})]"
                && a.GetProperty("properties").GetProperty("principalId").GetString() == "[parameters('appPrincipalId')]"
                && a.GetProperty("scope").GetString()!.StartsWith($"[resourceId('{scope}', ", StringComparison.Ordinal));
            if (!granted) problems.Add($"{role} is not assigned to the app identity on its {scope}");
        }
        Repo.NoProblems("Role assignments", problems);
        Assert.Matches(@"^\[reference\(resourceId\('Microsoft\.Resources/deployments', 'identity'\)[^)]*\)\.outputs\.principalId\.value\]$",
            Bicep.Module("roles").GetProperty("parameters").GetProperty("appPrincipalId").GetProperty("value").GetString());
        // The app's settings name the same identity the roles are granted to.
        Assert.Matches(@"'identity'\)[^)]*\)\.outputs\.clientId\.value\]$",
            Bicep.Module("functionapp").GetProperty("parameters").GetProperty("identityClientId").GetProperty("value").GetString());
    }
}
