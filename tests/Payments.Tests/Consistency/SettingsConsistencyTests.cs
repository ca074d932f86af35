using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Payments.Core.Hosting;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Consistency;

/// <summary>Every setting the code reads is named in <see cref="SettingNames"/>, listed in
/// local.settings.sample.json and set by infra/; and the code reads no setting around that list.</summary>
[Trait("Category", Category.Consistency)]
public class SettingsConsistencyTests
{
    private const string Sample = "local.settings.sample.json";

    /// <summary>Settings deliberately not set in Azure, with the reason.</summary>
    private static readonly Dictionary<string, string> NotSetInAzure = new(StringComparer.OrdinalIgnoreCase)
    {
        [SettingNames.Storage] = "the connection-string form; shared keys are off on the Azure storage account, so Azure uses the "
            + "identity-based PaymentsStorage__tableServiceUri/queueServiceUri/credential/clientId instead (and a 'PaymentsStorage' value would take precedence over them)",
    };

    /// <summary>Settings that may be missing from the sample, with the reason.</summary>
    private static readonly Dictionary<string, string> NotInSample = new(StringComparer.OrdinalIgnoreCase)
    {
    };

    /// <summary>Platform settings read by the Functions host or the SDKs, not by our code.</summary>
    private static readonly string[] PlatformSettingPrefixes =
        ["AzureWebJobsStorage", "AzureWebJobsDisableHomepage", "APPLICATIONINSIGHTS_", "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_"];

    public static IReadOnlyList<string> Settings() =>
        typeof(SettingNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f is { IsLiteral: true, IsInitOnly: false } && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();

    private static string EnvironmentForm(string setting) => setting.Replace(":", "__");

    private static HashSet<string> SampleValues()
    {
        using var json = JsonDocument.Parse(Repo.Read(Sample));
        Assert.True(json.RootElement.TryGetProperty("Values", out var values), $"{Sample} has no Values object.");
        return values.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    private static bool IsPlatformSetting(string name) =>
        PlatformSettingPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    [Fact]
    public void SettingNames_lists_settings()
    {
        var settings = Settings();
        Assert.Contains(SettingNames.SecurityMode, settings);
        Assert.True(settings.Count >= 20, $"Only {settings.Count} settings found by reflection over SettingNames.");
    }

    [Fact]
    public void Every_setting_is_in_the_sample_settings()
    {
        var values = SampleValues();
        Repo.NoProblems($"Settings of SettingNames missing from {Sample} Values (add them with their local default)",
            Settings().Where(s => !values.Contains(EnvironmentForm(s)) && !NotInSample.ContainsKey(s))
                .Select(s => $"{EnvironmentForm(s)} (SettingNames: \"{s}\")"));
    }

    [Fact]
    public void The_sample_settings_hold_nothing_the_code_does_not_read()
    {
        var known = Settings().Select(EnvironmentForm).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Repo.NoProblems($"{Sample} Values not in SettingNames (misspelt, or add them to SettingNames)",
            SampleValues().Where(v => !known.Contains(v) && !IsPlatformSetting(v)));
    }

    [Fact]
    public void Every_setting_is_set_by_infra()
    {
        var appSettings = Bicep.AppSettings().Select(s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Repo.NoProblems("Settings of SettingNames not among the function app's compiled app settings (add { name: '...' value: ... } to appSettings in infra/modules/functionapp.bicep)",
            Settings().Where(s => !appSettings.Contains(EnvironmentForm(s)) && !NotSetInAzure.ContainsKey(s))
                .Select(s => $"{EnvironmentForm(s)} (SettingNames: \"{s}\")"));
    }

    [Fact]
    public void Infra_sets_no_setting_the_code_does_not_read_and_none_twice()
    {
        var known = Settings().Select(EnvironmentForm).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var appSettings = Bicep.AppSettings();
        Repo.NoProblems("App settings in infra/ that are neither in SettingNames nor platform settings (misspelt?)",
            appSettings.Where(s => !known.Contains(s.Name) && !IsPlatformSetting(s.Name)).Select(s => s.Name));
        Repo.NoProblems("App settings set twice in infra/",
            appSettings.GroupBy(s => s.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key));
        Repo.NoProblems("Settings that must not be set in Azure but are set in infra/",
            appSettings.Where(s => NotSetInAzure.ContainsKey(s.Name)).Select(s => $"{s.Name}: {NotSetInAzure[s.Name]}"));
    }

    /// <summary>The values' shapes: storage by identity on the account's endpoints, Production hosting,
    /// every tuning setting from a main.bicep parameter of the same meaning.</summary>
    [Fact]
    public void Infra_uses_identity_based_storage_production_hosting_and_pgp_by_default()
    {
        var settings = Bicep.AppSettings().ToDictionary(s => s.Name, s => s.Value, StringComparer.OrdinalIgnoreCase);
        var expected = new Dictionary<string, string>
        {
            ["AzureWebJobsStorage__credential"] = "managedidentity",
            ["AzureWebJobsStorage__clientId"] = "[parameters('identityClientId')]",
            ["AzureWebJobsStorage__blobServiceUri"] = "[parameters('storageBlobEndpoint')]",
            ["AzureWebJobsStorage__queueServiceUri"] = "[parameters('storageQueueEndpoint')]",
            ["AzureWebJobsStorage__tableServiceUri"] = "[parameters('storageTableEndpoint')]",
            [EnvironmentForm(SettingNames.StorageCredential)] = "managedidentity",
            [EnvironmentForm(SettingNames.StorageClientId)] = "[parameters('identityClientId')]",
            [EnvironmentForm(SettingNames.StorageQueueServiceUri)] = "[parameters('storageQueueEndpoint')]",
            [EnvironmentForm(SettingNames.StorageTableServiceUri)] = "[parameters('storageTableEndpoint')]",
            ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "[parameters('applicationInsightsConnectionString')]",
            ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = "[format('ClientId={0};Authorization=AAD', parameters('identityClientId'))]",
            [SettingNames.FunctionsEnvironment] = "Production",
            [SettingNames.DotnetEnvironment] = "Production",
        };
        Repo.NoProblems("App settings in infra/ without the expected value",
            expected.Where(e => !settings.TryGetValue(e.Key, out var v) || v != e.Value)
                .Select(e => $"{e.Key} = {settings.GetValueOrDefault(e.Key) ?? "(unset)"}, expected {e.Value}"));
        Assert.False(settings.ContainsKey("AzureWebJobsStorage"), "infra/ sets AzureWebJobsStorage (a connection string); shared keys are off, use AzureWebJobsStorage__* instead.");

        // The module's storage endpoints are the app's own account (the storage module's outputs).
        var module = Bicep.Module("functionapp").GetProperty("parameters");
        foreach (var (parameter, output) in new[] { ("storageBlobEndpoint", "blobEndpoint"), ("storageQueueEndpoint", "queueEndpoint"), ("storageTableEndpoint", "tableEndpoint") })
            Assert.Matches($@"'storage'\)[^)]*\)\.outputs\.{output}\.value\]$", module.GetProperty(parameter).GetProperty("value").GetString());

        // Tuning settings: "[parameters('x')]" or "[string(parameters('x'))]", x passed straight from main.bicep's parameter.
        var main = Bicep.Main.GetProperty("parameters");
        var tuning = new[]
        {
            (SettingNames.AccountIds, "paymentIntegratorAccountIds"), (SettingNames.IdempotencyRetentionDays, "idempotencyRetentionDays"),
            (SettingNames.ReferenceNumberValidityHours, "referenceNumberValidityHours"), (SettingNames.FundsReservationValidityHours, "fundsReservationValidityHours"),
            (SettingNames.FinishingMaxAttempts, "finishingMaxAttempts"), (SettingNames.FinishingRetryBaseMilliseconds, "finishingRetryBaseMilliseconds"),
            (SettingNames.FinishingRelayGraceSeconds, "finishingRelayGraceSeconds"), (SettingNames.FinishingMaxBacklog, "finishingMaxBacklog"),
            (SettingNames.FinishingBreakerBreakSeconds, "finishingBreakerBreakSeconds"), (SettingNames.FinishingBreakerFailurePercent, "finishingBreakerFailurePercent"),
            (SettingNames.FinishingBreakerMinimumThroughput, "finishingBreakerMinimumThroughput"), (SettingNames.FinishingBreakerSamplingSeconds, "finishingBreakerSamplingSeconds"),
            (SettingNames.FinishingBreakerMaxConcurrentCalls, "finishingBreakerMaxConcurrentCalls"),
            (SettingNames.SecurityMode, "securityMode"), (SettingNames.GoogleBaseUrl, "googleBaseUrl"), (SettingNames.BackOfficeProvider, "backOfficeProvider"),
            (SettingNames.CrmComBaseUrl, "crmComBaseUrl"), (SettingNames.CrmComUsername, "crmComUsername"), (SettingNames.CrmComOrganisation, "crmComOrganisation"),
            (SettingNames.CrmComPaymentCancellationType, "crmComPaymentCancellationType"), (SettingNames.CrmComRefundType, "crmComRefundType"),
        };
        var problems = new List<string>();
        foreach (var (setting, mainParameter) in tuning)
        {
            var value = settings.GetValueOrDefault(EnvironmentForm(setting)) ?? "";
            var m = System.Text.RegularExpressions.Regex.Match(value, @"^\[(?:string\()?parameters\('(\w+)'\)\)?\]$");
            if (!m.Success) { problems.Add($"{EnvironmentForm(setting)} = {value} (not a parameter)"); continue; }
            var given = module.TryGetProperty(m.Groups[1].Value, out var g) ? g.GetProperty("value").GetString() : null;
            if (given != $"[parameters('{mainParameter}')]") problems.Add($"{EnvironmentForm(setting)}: module parameter {m.Groups[1].Value} = {given}, expected main.bicep's {mainParameter}");
            else if (!main.TryGetProperty(mainParameter, out _)) problems.Add($"main.bicep has no parameter {mainParameter}");
        }
        Repo.NoProblems("Tuning settings", problems);
        Assert.Equal("Pgp", main.GetProperty("securityMode").GetProperty("defaultValue").GetString());
    }

    // ---- configuration reads by literal in the code ----

    private static readonly Regex[] ConfigurationReads =
    [
        new(@"\b\w*[Cc]onfig\w*\s*\??\[\s*""([^""]+)""\s*\]"),                      // configuration["X"], builder.Configuration["X"], config?["X"]
        new(@"\.\s*GetSection\(\s*""([^""]+)""\s*\)"),
        new(@"\.\s*GetRequiredSection\(\s*""([^""]+)""\s*\)"),
        new(@"\.\s*GetValue\s*(?:<[^>()]+>)?\(\s*""([^""]+)"""),                   // GetValue<T>("X"), GetValue("X", ...)
        new(@"\.\s*GetConnectionString\(\s*""([^""]+)""\s*\)"),
        new(@"\bGetEnvironmentVariable\(\s*""([^""]+)""\s*\)"),
    ];

    /// <summary>(literal, is a section read) for every configuration read by literal in a C# text.</summary>
    internal static IEnumerable<(string Key, bool Section)> LiteralConfigurationReads(string csharp)
    {
        var code = Repo.WithoutComments(csharp);
        foreach (var (regex, i) in ConfigurationReads.Select((r, i) => (r, i)))
            foreach (Match m in regex.Matches(code))
                yield return (m.Groups[1].Value, i is 1 or 2);
    }

    private static bool IsKnown(string key, bool section, IReadOnlyList<string> settings)
    {
        var normal = key.Replace("__", ":");
        return settings.Any(s => string.Equals(s, normal, StringComparison.OrdinalIgnoreCase)
            || (section && s.StartsWith(normal + ":", StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public void The_reads_scanner_finds_each_kind_of_read()
    {
        const string sample = """
            var a = configuration["Payments:AccountIds"];
            var b = builder.Configuration.GetValue<int>("Payments:IdempotencyRetentionDays");
            var c = config.GetSection("Security:Pgp");
            var d = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT");
            var e = cfg.GetRequiredSection("Nope");
            // var f = configuration["Commented:Out"];
            """;
        var reads = LiteralConfigurationReads(sample).ToList();
        Assert.Equal(
            new[] { "DOTNET_ENVIRONMENT", "Nope", "Payments:AccountIds", "Payments:IdempotencyRetentionDays", "Security:Pgp" },
            reads.Select(r => r.Key).Order(StringComparer.Ordinal));
        var settings = Settings();
        Assert.All(reads.Where(r => r.Key != "Nope"), r => Assert.True(IsKnown(r.Key, r.Section, settings), r.Key));
        Assert.False(IsKnown("Nope", true, settings));
        Assert.False(IsKnown("Security:Pgp", false, settings)); // a section name is not a value read
    }

    [Fact]
    public void The_code_reads_no_setting_by_a_literal_outside_SettingNames()
    {
        var settings = Settings();
        var files = Repo.Files("functions/Payments.Core", ".cs").Concat(Repo.Files("functions/Payments.LocalHost", ".cs")).ToList();
        Assert.NotEmpty(files);
        Repo.NoProblems("Configuration read by a literal name that is not in SettingNames (add it to SettingNames, the sample and infra/, and read it through SettingNames)",
            files.SelectMany(f => LiteralConfigurationReads(Repo.Read(f))
                .Where(r => !IsKnown(r.Key, r.Section, settings))
                .Select(r => $"\"{r.Key}\" in {f}")));
    }
}
