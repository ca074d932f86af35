using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Payments.Tests.Consistency;

/// <summary>The Bicep CLI restored from NuGet (Azure.Bicep.CommandLine.linux-x64, its tools/bicep), and
/// infra/ as it compiles: the ARM JSON Azure deploys, modules inlined as nested deployments.</summary>
internal static partial class Bicep
{
    /// <summary>One CLI run: exit code, standard output (the JSON with --stdout), diagnostics (standard error).</summary>
    public sealed record Run(int ExitCode, string Output, string Diagnostics)
    {
        public override string ToString() => $"exit code {ExitCode}{Environment.NewLine}{Diagnostics}";
    }

    /// <summary>An app setting of the function app: its name and its value as compiled (a literal or an ARM expression).</summary>
    public sealed record AppSetting(string Name, string Value);

    private static readonly Lazy<string> executable = new(() =>
    {
        var path = typeof(Bicep).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == "BicepCli")?.Value;
        Assert.False(string.IsNullOrEmpty(path), "The test assembly names no BicepCli (see Payments.Tests.csproj).");
        Assert.True(File.Exists(path), $"{path} is missing: restore Payments.Tests (the Azure.Bicep.CommandLine.linux-x64 package).");
        // The package may come without the execute bit (it is the linux-x64 build, so never on Windows).
        if (!OperatingSystem.IsWindows() && File.GetUnixFileMode(path) is var mode && !mode.HasFlag(UnixFileMode.UserExecute))
            File.SetUnixFileMode(path, mode | UnixFileMode.UserExecute);
        return path;
    });

    /// <summary>Runs the CLI in the repository root.</summary>
    public static Run Invoke(params string[] arguments) => Invoke(new Dictionary<string, string?>(), arguments);

    /// <summary>Runs the CLI in the repository root with these environment variables set (null: removed).</summary>
    public static Run Invoke(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(executable.Value)
        {
            WorkingDirectory = Repo.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment)
            if (value is null) start.Environment.Remove(name); else start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var diagnostics = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"bicep {string.Join(' ', arguments)} did not finish in 3 minutes.");
        }
        return new Run(process.ExitCode, output.Result, diagnostics.Result.Trim());
    }

    private static readonly Lazy<Run> mainBuild = new(() => Invoke("build", Infra.Main, "--stdout"));
    /// <summary>The PIAIDs the parameter file is built with (it reads them from GSP_ACCOUNT_IDS, which it requires).</summary>
    public const string TestAccountIds = "TestPiaid_USD,TestPiaid_INR";

    private static readonly Lazy<Run> parametersBuild = new(() => Invoke(
        new Dictionary<string, string?> { ["GSP_ACCOUNT_IDS"] = TestAccountIds, ["DEPLOYER_PRINCIPAL_ID"] = null, ["DEPLOYER_PRINCIPAL_TYPE"] = null },
        "build-params", "infra/main.bicepparam", "--stdout"));
    /// <summary>What infra/production.bicepparam reads from the environment (all required there but the deployer's).</summary>
    public static readonly IReadOnlyDictionary<string, string?> ProductionEnvironment = new Dictionary<string, string?>
    {
        ["GSP_ACCOUNT_IDS"] = TestAccountIds,
        ["GSP_ALERT_EMAIL"] = "oncall@example.com",
        ["GSP_ALERT_WEBHOOK"] = null,
        ["CRMCOM_BASE_URL"] = "https://crm.example.com",
        ["CRMCOM_USERNAME"] = "gsp",
        ["CRMCOM_ORGANISATION"] = "Example",
        ["DEPLOYER_PRINCIPAL_ID"] = null,
        ["DEPLOYER_PRINCIPAL_TYPE"] = null,
    };

    private static readonly Lazy<Run> productionParametersBuild = new(() => Invoke(ProductionEnvironment, "build-params", "infra/production.bicepparam", "--stdout"));
    private static readonly Lazy<Run> lint = new(() => Invoke("lint", "--pattern", "infra/**/*.bicep"));

    public static Run MainBuild => mainBuild.Value;
    public static Run ParametersBuild => parametersBuild.Value;
    public static Run ProductionParametersBuild => productionParametersBuild.Value;
    /// <summary>Every .bicep file under infra/ linted (modules included, even one main does not use).</summary>
    public static Run Lint => lint.Value;

    private static JsonElement Parse(Run run, string what)
    {
        Assert.True(run.ExitCode == 0, $"{what} failed: {run}");
        using var json = JsonDocument.Parse(run.Output);
        return json.RootElement.Clone();
    }

    /// <summary>The ARM template main.bicep compiles to.</summary>
    public static JsonElement Main => Parse(MainBuild, "bicep build infra/main.bicep");

    /// <summary>The "parameters" object main.bicepparam compiles to.</summary>
    public static JsonElement Parameters => ParametersOf(ParametersBuild, "infra/main.bicepparam");

    /// <summary>The "parameters" object production.bicepparam compiles to.</summary>
    public static JsonElement ProductionParameters => ParametersOf(ProductionParametersBuild, "infra/production.bicepparam");

    /// <summary>A parameter file's build: no diagnostic, and the template it carries is infra/main.bicep's.</summary>
    public static void AssertCompilesCleanAgainstMain(Run build, string file)
    {
        Assert.True(build.ExitCode == 0 && build.Diagnostics.Length == 0, $"bicep build-params {file}: {build}");
        using var compiled = JsonDocument.Parse(build.Output);
        using var template = JsonDocument.Parse(compiled.RootElement.GetProperty("templateJson").GetString()!);
        Assert.True(JsonElement.DeepEquals(template.RootElement, Main), $"{file} compiles against a template other than {Infra.Main}.");
    }

    private static JsonElement ParametersOf(Run run, string file)
    {
        var build = Parse(run, $"bicep build-params {file}");
        using var parameters = JsonDocument.Parse(build.GetProperty("parametersJson").GetString()!);
        return parameters.RootElement.GetProperty("parameters").Clone();
    }

    /// <summary>The template of the nested deployment a module of main.bicep compiles to.</summary>
    public static JsonElement Module(string name)
    {
        var deployment = Main.GetProperty("resources").EnumerateArray()
            .Where(r => r.GetProperty("type").GetString() == "Microsoft.Resources/deployments" && r.GetProperty("name").GetString() == name)
            .ToList();
        Assert.True(deployment.Count == 1, $"main.bicep compiles to {deployment.Count} deployments named '{name}'.");
        return deployment[0].GetProperty("properties");
    }

    /// <summary>Every resource of the deployment with the module deployment it is declared in ("main" for the top level).</summary>
    public static IEnumerable<(string Module, JsonElement Resource)> Resources()
    {
        IEnumerable<(string, JsonElement)> Walk(string module, JsonElement template)
        {
            foreach (var resource in template.GetProperty("resources").EnumerateArray())
            {
                yield return (module, resource);
                if (resource.GetProperty("type").GetString() == "Microsoft.Resources/deployments"
                    && resource.GetProperty("properties").TryGetProperty("template", out var nested))
                    foreach (var inner in Walk(resource.GetProperty("name").GetString()!, nested))
                        yield return inner;
            }
        }
        return Walk("main", Main);
    }

    /// <summary>The resources of one type in a module's template.</summary>
    public static IReadOnlyList<JsonElement> ResourcesOf(string module, string type) =>
        Resources().Where(r => r.Module == module && string.Equals(r.Resource.GetProperty("type").GetString(), type, StringComparison.OrdinalIgnoreCase))
            .Select(r => r.Resource).ToList();

    [GeneratedRegex(@"^\[variables\('([^']+)'\)\]$")]
    private static partial Regex VariableReference();

    /// <summary>A value, with a whole-value <c>[variables('x')]</c> replaced by the template's variable x.</summary>
    public static JsonElement Resolve(JsonElement template, JsonElement value) =>
        value.ValueKind == JsonValueKind.String && VariableReference().Match(value.GetString()!) is { Success: true } m
            ? template.GetProperty("variables").GetProperty(m.Groups[1].Value)
            : value;

    /// <summary>The template of the functionapp module.</summary>
    public static JsonElement FunctionAppTemplate => Module("functionapp").GetProperty("template");

    /// <summary>The site (Microsoft.Web/sites) of the functionapp module.</summary>
    public static JsonElement Site
    {
        get
        {
            var sites = ResourcesOf("functionapp", "Microsoft.Web/sites");
            Assert.True(sites.Count == 1, $"The functionapp module compiles to {sites.Count} sites.");
            return sites[0];
        }
    }

    /// <summary>siteConfig.appSettings of the function app, in order.</summary>
    public static IReadOnlyList<AppSetting> AppSettings()
    {
        var settings = Resolve(FunctionAppTemplate, Site.GetProperty("properties").GetProperty("siteConfig").GetProperty("appSettings"));
        Assert.Equal(JsonValueKind.Array, settings.ValueKind);
        return settings.EnumerateArray()
            .Select(s => new AppSetting(s.GetProperty("name").GetString()!, s.GetProperty("value").ToString()))
            .ToList();
    }

    /// <summary>The string values of a <c>var x = [ … ]</c> of a module (e.g. what a copy loop iterates).</summary>
    public static IReadOnlyList<string> StringArrayVariable(string module, string name) =>
        Module(module).GetProperty("template").GetProperty("variables").GetProperty(name).EnumerateArray()
            .Select(v => v.GetString()!).ToList();

    /// <summary>The parameters of a template declared <c>@secure()</c> (securestring / secureObject).</summary>
    public static IReadOnlyList<string> SecureParameters(JsonElement template) =>
        template.GetProperty("parameters").EnumerateObject()
            .Where(p => p.Value.GetProperty("type").GetString() is { } type && type.StartsWith("secure", StringComparison.OrdinalIgnoreCase))
            .Select(p => p.Name).ToList();
}
