using Payments.Tests.TestSupport;
using System.Text.Json;

namespace Payments.Tests.Consistency;

/// <summary>The site as Google meets it (docs/deploy.md): always-ready HTTP instances in production so no
/// call waits for a cold start, and the transport Google checks (HTTPS only, TLS 1.2 or newer, no client
/// certificate in either security mode).</summary>
[Trait("Category", Category.Consistency)]
public class ColdStartAndTransportTests
{
    private const string ProductionGateway = "https://vgw.googleapis.com/gsp";

    private static JsonElement SiteProperties => Bicep.Site.GetProperty("properties");

    [Fact]
    public void The_http_functions_have_always_ready_instances_from_a_parameter_on_in_production_off_in_the_sandbox()
    {
        var parameter = Bicep.Main.GetProperty("parameters").GetProperty("httpAlwaysReadyInstanceCount");
        Assert.Equal(0, parameter.GetProperty("minValue").GetInt32());
        Assert.Equal($"[if(equals(parameters('googleBaseUrl'), '{ProductionGateway}'), 1, 0)]", parameter.GetProperty("defaultValue").GetString());
        Assert.Equal("[parameters('httpAlwaysReadyInstanceCount')]",
            Bicep.Module("functionapp").GetProperty("parameters").GetProperty("httpAlwaysReadyInstanceCount").GetProperty("value").GetString());

        // Flex Consumption's always-ready setting for the group "http" (every HTTP function), none when 0.
        var scale = SiteProperties.GetProperty("functionAppConfig").GetProperty("scaleAndConcurrency");
        Assert.Equal("[if(greater(parameters('httpAlwaysReadyInstanceCount'), 0), variables('httpAlwaysReady'), createArray())]",
            scale.GetProperty("alwaysReady").GetString());
        var ready = Assert.Single(Bicep.FunctionAppTemplate.GetProperty("variables").GetProperty("httpAlwaysReady").EnumerateArray());
        Assert.Equal("http", ready.GetProperty("name").GetString());
        Assert.Equal("[parameters('httpAlwaysReadyInstanceCount')]", ready.GetProperty("instanceCount").GetString());

        Assert.Equal(0, Bicep.Parameters.GetProperty("httpAlwaysReadyInstanceCount").GetProperty("value").GetInt32());
        var production = Bicep.ProductionParameters;
        Assert.Equal(ProductionGateway, production.GetProperty("googleBaseUrl").GetProperty("value").GetString());
        Assert.True(production.GetProperty("httpAlwaysReadyInstanceCount").GetProperty("value").GetInt32() >= 1);
    }

    [Fact]
    public void The_production_parameter_file_compiles_without_a_diagnostic_against_main_bicep_and_is_production()
    {
        Bicep.AssertCompilesCleanAgainstMain(Bicep.ProductionParametersBuild, "infra/production.bicepparam");
        var production = Bicep.ProductionParameters;
        Assert.Equal(Bicep.TestAccountIds, production.GetProperty("paymentIntegratorAccountIds").GetProperty("value").GetString());
        Assert.True(production.GetProperty("deleteLock").GetProperty("value").GetBoolean());
        Assert.NotEqual("Standard_LRS", production.GetProperty("storageSku").GetProperty("value").GetString());
        Assert.NotEqual("sandbox", production.GetProperty("environmentName").GetProperty("value").GetString());
        Repo.NoProblems("production.bicepparam sets secure parameters (put secrets into Key Vault instead)",
            Bicep.SecureParameters(Bicep.Main).Where(s => production.TryGetProperty(s, out _)));

        // Every value it requires from the environment is required: without one it does not build.
        foreach (var variable in new[] { "GSP_ACCOUNT_IDS", "GSP_ALERT_EMAIL" })
        {
            var unset = Bicep.Invoke(new Dictionary<string, string?>(Bicep.ProductionEnvironment) { [variable] = null }, "build-params", "infra/production.bicepparam", "--stdout");
            Assert.True(unset.ExitCode != 0 && unset.Diagnostics.Contains(variable, StringComparison.Ordinal), $"production.bicepparam built without {variable}: {unset}");
        }
    }

    [Fact]
    public void The_site_answers_https_only_with_TLS_1_2_or_newer_and_asks_no_client_certificate()
    {
        var site = SiteProperties;
        Assert.True(site.GetProperty("httpsOnly").GetBoolean());
        // Google authenticates its calls by their PGP or JWS signature in both security modes, not by a TLS client certificate.
        Assert.False(site.GetProperty("clientCertEnabled").GetBoolean());
        var config = site.GetProperty("siteConfig");
        Assert.Equal("1.2", config.GetProperty("minTlsVersion").GetString());
        Assert.Equal("1.2", config.GetProperty("scmMinTlsVersion").GetString());
        Assert.Equal("Disabled", config.GetProperty("ftpsState").GetString());
        // Flex Consumption does not offer the minimum cipher suite (App Service Premium and up does); the guide says so.
        Assert.False(config.TryGetProperty("minTlsCipherSuite", out _), "minTlsCipherSuite is set: docs/deploy.md says Flex Consumption does not offer it.");
        var guide = Repo.Read("docs/deploy.md");
        Assert.Contains("minTlsCipherSuite", guide, StringComparison.Ordinal);
        Assert.Contains("ECDHE-RSA-AES128-GCM-SHA256", guide, StringComparison.Ordinal);
    }
}
