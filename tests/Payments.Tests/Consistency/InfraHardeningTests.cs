using System.Text.Json;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Consistency;

/// <summary>What a security review of the deployment asks for, one point per test, on what infra/ compiles
/// to: Key Vault, storage and the site hardened, their logs in the workspace, nothing deployed by a silent
/// default (docs/deploy.md).</summary>
[Trait("Category", Category.Consistency)]
public class InfraHardeningTests
{
    private const string ProductionGateway = "https://vgw.googleapis.com/gsp";

    private static JsonElement Properties(JsonElement resource) => resource.GetProperty("properties");

    private static JsonElement Vault => Assert.Single(Bicep.ResourcesOf("keyvault", "Microsoft.KeyVault/vaults"));
    private static JsonElement StorageAccount => Assert.Single(Bicep.ResourcesOf("storage", "Microsoft.Storage/storageAccounts"));

    [Fact]
    public void Key_Vault_has_purge_protection_and_soft_delete()
    {
        var vault = Properties(Vault);
        Assert.True(vault.GetProperty("enablePurgeProtection").GetBoolean());
        Assert.True(vault.GetProperty("enableSoftDelete").GetBoolean());
        Assert.Equal(90, vault.GetProperty("softDeleteRetentionInDays").GetInt32());
    }

    /// <summary>Each diagnostic setting is scoped to its resource and writes to the workspace the monitoring
    /// module creates (its output, passed down unchanged).</summary>
    [Theory]
    [InlineData("keyvault", "Microsoft.KeyVault/vaults", "audit")]
    [InlineData("storage", "Microsoft.Storage/storageAccounts/blobServices", "audit")]
    [InlineData("storage", "Microsoft.Storage/storageAccounts/queueServices", "audit")]
    [InlineData("storage", "Microsoft.Storage/storageAccounts/tableServices", "audit")]
    [InlineData("functionapp", "Microsoft.Web/sites", "allLogs")]
    public void Key_Vault_storage_and_the_site_send_their_logs_to_the_workspace(string module, string scopeType, string categoryGroup)
    {
        var settings = Bicep.ResourcesOf(module, "Microsoft.Insights/diagnosticSettings")
            .Where(d => d.GetProperty("scope").GetString()!.StartsWith($"[resourceId('{scopeType}', ", StringComparison.Ordinal))
            .ToList();
        var setting = Assert.Single(settings);
        Assert.Equal("[parameters('logAnalyticsWorkspaceId')]", Properties(setting).GetProperty("workspaceId").GetString());
        Assert.Contains(Properties(setting).GetProperty("logs").EnumerateArray(),
            l => l.GetProperty("categoryGroup").GetString() == categoryGroup && l.GetProperty("enabled").GetBoolean());
        Assert.Matches(@"^\[reference\(resourceId\('Microsoft\.Resources/deployments', 'monitoring'\)[^)]*\)\.outputs\.workspaceId\.value\]$",
            Bicep.Module(module).GetProperty("parameters").GetProperty("logAnalyticsWorkspaceId").GetProperty("value").GetString());
    }

    [Fact]
    public void Storage_redundancy_is_a_parameter_zone_redundant_by_default_and_locally_redundant_only_in_the_sandbox_file()
    {
        Assert.Equal("[parameters('sku')]", StorageAccount.GetProperty("sku").GetProperty("name").GetString());
        Assert.Equal("[parameters('storageSku')]", Bicep.Module("storage").GetProperty("parameters").GetProperty("sku").GetProperty("value").GetString());
        var parameter = Bicep.Main.GetProperty("parameters").GetProperty("storageSku");
        Assert.Equal("Standard_ZRS", parameter.GetProperty("defaultValue").GetString());
        Assert.Contains("Standard_GZRS", parameter.GetProperty("allowedValues").EnumerateArray().Select(v => v.GetString()));
        // main.bicepparam is the sandbox's (Google's sandbox gateway).
        Assert.Equal("https://vgw.sandbox.google.com/gsp", Bicep.Parameters.GetProperty("googleBaseUrl").GetProperty("value").GetString());
        Assert.Equal("Standard_LRS", Bicep.Parameters.GetProperty("storageSku").GetProperty("value").GetString());
    }

    [Fact]
    public void The_ledger_storage_gets_a_delete_lock_by_default_in_production()
    {
        var lockResource = Assert.Single(Bicep.ResourcesOf("storage", "Microsoft.Authorization/locks"));
        Assert.Equal("CanNotDelete", Properties(lockResource).GetProperty("level").GetString());
        Assert.Equal("[parameters('deleteLock')]", lockResource.GetProperty("condition").GetString());
        Assert.StartsWith("[resourceId('Microsoft.Storage/storageAccounts', ", lockResource.GetProperty("scope").GetString());
        Assert.Equal("[parameters('deleteLock')]", Bicep.Module("storage").GetProperty("parameters").GetProperty("deleteLock").GetProperty("value").GetString());
        Assert.Equal($"[equals(parameters('googleBaseUrl'), '{ProductionGateway}')]",
            Bicep.Main.GetProperty("parameters").GetProperty("deleteLock").GetProperty("defaultValue").GetString());
    }

    [Theory]
    [InlineData("scm")]
    [InlineData("ftp")]
    public void Basic_auth_publishing_credentials_are_off(string endpoint)
    {
        var policies = Bicep.ResourcesOf("functionapp", "Microsoft.Web/sites/basicPublishingCredentialsPolicies");
        var policy = Assert.Single(policies, p => p.GetProperty("name").GetString()!.EndsWith($"'{endpoint}')]", StringComparison.Ordinal));
        Assert.False(Properties(policy).GetProperty("allow").GetBoolean());
    }

    [Fact]
    public void The_site_root_shows_no_Functions_homepage()
    {
        var setting = Assert.Single(Bicep.AppSettings(), s => s.Name == "AzureWebJobsDisableHomepage");
        Assert.Equal("true", setting.Value);
    }

    [Fact]
    public void The_instance_limit_may_be_as_low_as_one()
    {
        Assert.Equal(1, Bicep.Main.GetProperty("parameters").GetProperty("maximumInstanceCount").GetProperty("minValue").GetInt32());
        Assert.Equal(1, Bicep.FunctionAppTemplate.GetProperty("parameters").GetProperty("maximumInstanceCount").GetProperty("minValue").GetInt32());
        Assert.Equal("[parameters('maximumInstanceCount')]",
            Properties(Bicep.Site).GetProperty("functionAppConfig").GetProperty("scaleAndConcurrency").GetProperty("maximumInstanceCount").GetString());
    }

    [Fact]
    public void The_deployer_role_assignment_takes_its_principal_type_from_a_parameter()
    {
        var officer = Assert.Single(Bicep.ResourcesOf("roles", "Microsoft.Authorization/roleAssignments"),
            a => Properties(a).GetProperty("principalId").GetString() == "[parameters('deployerPrincipalId')]");
        Assert.Equal("[parameters('deployerPrincipalType')]", Properties(officer).GetProperty("principalType").GetString());
        Assert.Equal("[parameters('deployerPrincipalType')]", Bicep.Module("roles").GetProperty("parameters").GetProperty("deployerPrincipalType").GetProperty("value").GetString());
        Assert.Equal(["Group", "ServicePrincipal", "User"],
            Bicep.Main.GetProperty("parameters").GetProperty("deployerPrincipalType").GetProperty("allowedValues").EnumerateArray().Select(v => v.GetString()!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_parameter_file_takes_the_PIAIDs_from_GSP_ACCOUNT_IDS_and_fails_without_it()
    {
        Assert.Equal(Bicep.TestAccountIds, Bicep.Parameters.GetProperty("paymentIntegratorAccountIds").GetProperty("value").GetString());
        var unset = Bicep.Invoke(new Dictionary<string, string?> { ["GSP_ACCOUNT_IDS"] = null }, "build-params", "infra/main.bicepparam", "--stdout");
        Assert.True(unset.ExitCode != 0, $"main.bicepparam built without GSP_ACCOUNT_IDS: {unset.Output}");
        Assert.Contains("GSP_ACCOUNT_IDS", unset.Diagnostics);
    }

    [Fact]
    public void Network_isolation_is_an_optional_list_of_allowed_ranges()
    {
        var parameter = Bicep.Main.GetProperty("parameters").GetProperty("allowedSourceAddressPrefixes");
        Assert.Empty(parameter.GetProperty("defaultValue").EnumerateArray());
        var config = Properties(Bicep.Site).GetProperty("siteConfig");
        Assert.Equal("[if(empty(parameters('allowedSourceAddressPrefixes')), 'Allow', 'Deny')]", config.GetProperty("ipSecurityRestrictionsDefaultAction").GetString());
        // A property loop: ARM's "copy" of siteConfig, one Allow rule per range.
        var rules = Assert.Single(config.GetProperty("copy").EnumerateArray(), c => c.GetProperty("name").GetString() == "ipSecurityRestrictions");
        Assert.Equal("[length(parameters('allowedSourceAddressPrefixes'))]", rules.GetProperty("count").GetString());
        Assert.Equal("Allow", rules.GetProperty("input").GetProperty("action").GetString());
        Assert.Equal("[parameters('allowedSourceAddressPrefixes')]",
            Bicep.Module("functionapp").GetProperty("parameters").GetProperty("allowedSourceAddressPrefixes").GetProperty("value").GetString());
    }
}
