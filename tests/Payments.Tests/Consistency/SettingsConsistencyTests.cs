using Payments.Core.Protocol;
using System.Reflection;
using System.Text.Json;
using Payments.Core.BackOffice;
using Payments.Core.Configuration;
using Payments.Core.Finishing;
using Payments.Core.Hosting;
using Payments.Tests.TestSupport;
using Payments.Core.Notifications;
using Payments.Core.Security;
using Payments.Core.Storage;
using Payments.LocalHost;

namespace Payments.Tests.Consistency;

/// <summary>Every setting the app binds (the public settable properties of each options class under its
/// <c>Section</c>, nested options classes as sub-sections) is listed in local.settings.sample.json and set by
/// infra/, unless <see cref="LocalOnly"/> or <see cref="NotSetInAzure"/> says why not; and neither holds a
/// setting the app does not read.</summary>
[Trait("Category", Category.Consistency)]
public class SettingsConsistencyTests
{
    private const string Sample = "local.settings.sample.json";

    /// <summary>Settings deliberately not set in Azure, with the reason (docs/interfaces.md).</summary>
    private static readonly Dictionary<string, string> NotSetInAzure = new(StringComparer.OrdinalIgnoreCase)
    {
        [StorageConnectionOptions.Section] = "the connection-string form; shared keys are off on the Azure storage account, so Azure uses the "
            + "identity-based PaymentsStorage__tableServiceUri/queueServiceUri/credential/clientId instead (and a 'PaymentsStorage' value would take precedence over them)",
    };

    /// <summary>Settings that are neither in the sample nor in infra/, with the reason (docs/interfaces.md, "Local-only settings").</summary>
    internal static readonly Dictionary<string, string> LocalOnly = new(StringComparer.OrdinalIgnoreCase)
    {
        [$"{LocalHostOptions.Section}:{nameof(LocalHostOptions.TimerSchedules)}"] = "the local host's own schedules per function (tests); the Functions host has none",
        [$"{StorageClientOptions.Section}:{nameof(StorageClientOptions.MessageEncoding)}"] = "host.json extensions.queues.messageEncoding decides it; the local host copies it from there",
    };

    /// <summary>Settings read outside the options classes: the environment (the local host reads the first as
    /// func start does), and Application Insights (the Functions app sends telemetry only when it is set).</summary>
    private static readonly string[] HostSettings =
        [LocalSettings.FunctionsEnvironment, "DOTNET_ENVIRONMENT", "APPLICATIONINSIGHTS_CONNECTION_STRING"];

    /// <summary>Platform settings read by the Functions host or the SDKs, not by our code.</summary>
    private static readonly string[] PlatformSettingPrefixes =
        ["AzureWebJobsStorage", "AzureWebJobsDisableHomepage", "APPLICATIONINSIGHTS_", "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_"];

    /// <summary>The options classes bound to a top-level section: every type of the app with a <c>const string Section</c> without ':'.</summary>
    public static IReadOnlyList<(Type Type, string Section)> OptionsTypes() =>
        new[] { typeof(PaymentsOptions).Assembly, typeof(LocalHostOptions).Assembly }
            .SelectMany(a => a.GetTypes())
            .Select(t => (Type: t, Field: t.GetField("Section", BindingFlags.Public | BindingFlags.Static)))
            .Where(x => x.Field is { IsLiteral: true } && x.Field.FieldType == typeof(string))
            .Select(x => (x.Type, Section: (string)x.Field!.GetRawConstantValue()!))
            .Where(x => !x.Section.Contains(':'))
            .ToList();

    /// <summary>Every setting the app reads, in IConfiguration form (':').</summary>
    public static IReadOnlyList<string> Settings()
    {
        var settings = new List<string>(HostSettings) { StorageConnectionOptions.Section }; // its value is the connection string
        foreach (var (type, section) in OptionsTypes()) settings.AddRange(Bound(type, section));
        return settings;
    }

    private static IEnumerable<string> Bound(Type type, string section)
    {
        var nested = Payments.Core.Configuration.Settings.NestedSections(type).ToHashSet();
        foreach (var property in Payments.Core.Configuration.Settings.BoundProperties(type))
            if (nested.Contains(property)) foreach (var s in Bound(property.PropertyType, section + ":" + property.Name)) yield return s;
            else yield return section + ":" + property.Name;
    }

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
    public void The_options_types_are_found_and_walked_into_their_sub_sections()
    {
        Assert.Equal(
            new[] { "BackOffice", "Finishing", "Google", "Internal", "LocalHost", "Payments", "PaymentsStorage", "Security", "Storage", "Storage" }, // Storage: the clients' options and the names
            OptionsTypes().Select(t => t.Section).Order(StringComparer.Ordinal));
        var settings = Settings();
        Assert.Contains("Security:Pgp:Passphrase", settings);
        Assert.Contains("BackOffice:CrmCom:Password", settings);
        Assert.Contains("PaymentsStorage:TableServiceUri", settings);
        Assert.DoesNotContain("Security:Pgp", settings);             // a sub-section is not a setting
        Assert.DoesNotContain("Payments:ReferenceNumberValidity", settings); // computed, not bound
        Assert.DoesNotContain("PaymentsStorage:Name", settings);      // not publicly settable
    }

    /// <summary>The check is seen failing: a setting the sample lacks is reported.</summary>
    [Fact]
    public void A_bound_property_missing_from_the_sample_is_reported()
    {
        var missing = MissingFromSample(Settings().Append("Finishing:NewKnob"));
        Assert.Equal(["Finishing__NewKnob"], missing);
    }

    [Fact]
    public void Every_setting_is_in_the_sample_settings()
    {
        Repo.NoProblems($"Settings bound by the options classes missing from {Sample} Values (add them with their local default, or to LocalOnly with the reason)",
            MissingFromSample(Settings()));
    }

    private static List<string> MissingFromSample(IEnumerable<string> settings)
    {
        var values = SampleValues();
        return settings.Where(s => !values.Contains(EnvironmentForm(s)) && !LocalOnly.ContainsKey(s)).Select(EnvironmentForm).ToList();
    }

    [Fact]
    public void The_sample_settings_hold_nothing_the_code_does_not_read()
    {
        var known = Settings().Select(EnvironmentForm).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Repo.NoProblems($"{Sample} Values no options class binds (misspelt, or a property was removed)",
            SampleValues().Where(v => !known.Contains(v) && !IsPlatformSetting(v)));
    }

    [Fact]
    public void Every_setting_is_set_by_infra()
    {
        var appSettings = Bicep.AppSettings().Select(s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Repo.NoProblems("Settings bound by the options classes not among the function app's compiled app settings (add { name: '...' value: ... } to appSettings in infra/modules/functionapp.bicep)",
            Settings().Where(s => !appSettings.Contains(EnvironmentForm(s)) && !NotSetInAzure.ContainsKey(s) && !LocalOnly.ContainsKey(s))
                .Select(EnvironmentForm));
    }

    [Fact]
    public void Infra_sets_no_setting_the_code_does_not_read_and_none_twice()
    {
        var known = Settings().Select(EnvironmentForm).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var appSettings = Bicep.AppSettings();
        Repo.NoProblems("App settings in infra/ that no options class binds and that are not platform settings (misspelt?)",
            appSettings.Where(s => !known.Contains(s.Name) && !IsPlatformSetting(s.Name)).Select(s => s.Name));
        Repo.NoProblems("App settings set twice in infra/",
            appSettings.GroupBy(s => s.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key));
        Repo.NoProblems("Settings that must not be set in Azure but are set in infra/",
            appSettings.Where(s => NotSetInAzure.ContainsKey(s.Name) || LocalOnly.ContainsKey(s.Name.Replace("__", ":"))).Select(s => s.Name));
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
            ["PaymentsStorage__credential"] = "managedidentity",
            ["PaymentsStorage__clientId"] = "[parameters('identityClientId')]",
            ["PaymentsStorage__queueServiceUri"] = "[parameters('storageQueueEndpoint')]",
            ["PaymentsStorage__tableServiceUri"] = "[parameters('storageTableEndpoint')]",
            ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "[parameters('applicationInsightsConnectionString')]",
            ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = "[format('ClientId={0};Authorization=AAD', parameters('identityClientId'))]",
            [LocalSettings.FunctionsEnvironment] = "Production",
            ["DOTNET_ENVIRONMENT"] = "Production",
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
            (Name<PaymentsOptions>(nameof(PaymentsOptions.AccountIds)), "paymentIntegratorAccountIds"), (Name<PaymentsOptions>(nameof(PaymentsOptions.IdempotencyRetentionDays)), "idempotencyRetentionDays"),
            (Name<PaymentsOptions>(nameof(PaymentsOptions.ReferenceNumberValidityHours)), "referenceNumberValidityHours"), (Name<PaymentsOptions>(nameof(PaymentsOptions.FundsReservationValidityHours)), "fundsReservationValidityHours"),
            (Name<FinishingOptions>(nameof(FinishingOptions.MaxAttempts)), "finishingMaxAttempts"), (Name<FinishingOptions>(nameof(FinishingOptions.RetryBaseMilliseconds)), "finishingRetryBaseMilliseconds"),
            (Name<FinishingOptions>(nameof(FinishingOptions.RelayGraceSeconds)), "finishingRelayGraceSeconds"), (Name<FinishingOptions>(nameof(FinishingOptions.MaxBacklog)), "finishingMaxBacklog"),
            ("Finishing:CircuitBreaker:BreakSeconds", "finishingBreakerBreakSeconds"), ("Finishing:CircuitBreaker:FailurePercent", "finishingBreakerFailurePercent"),
            ("Finishing:CircuitBreaker:MinimumThroughput", "finishingBreakerMinimumThroughput"), ("Finishing:CircuitBreaker:SamplingSeconds", "finishingBreakerSamplingSeconds"),
            ("Finishing:CircuitBreaker:MaxConcurrentCalls", "finishingBreakerMaxConcurrentCalls"),
            (SecurityOptions.ModeSetting, "securityMode"), (Name<GoogleNotificationOptions>(nameof(GoogleNotificationOptions.BaseUrl)), "googleBaseUrl"), (Name<BackOfficeOptions>(nameof(BackOfficeOptions.Provider)), "backOfficeProvider"),
            (Name<CrmComOptions>(nameof(CrmComOptions.BaseUrl)), "crmComBaseUrl"), (Name<CrmComOptions>(nameof(CrmComOptions.Username)), "crmComUsername"), (Name<CrmComOptions>(nameof(CrmComOptions.Organisation)), "crmComOrganisation"),
            (Name<CrmComOptions>(nameof(CrmComOptions.PaymentCancellationType)), "crmComPaymentCancellationType"), (Name<CrmComOptions>(nameof(CrmComOptions.RefundType)), "crmComRefundType"),
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

    /// <summary>"Section:Property" of an options class.</summary>
    private static string Name<T>(string property) =>
        (string)typeof(T).GetField("Section", BindingFlags.Public | BindingFlags.Static)!.GetRawConstantValue()! + ":" + property;
}
