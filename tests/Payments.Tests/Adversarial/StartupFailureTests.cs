using System.Diagnostics;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Adversarial;

/// <summary>The built local host, started with a setting that is not allowed: the reason on one line, exit code 1.</summary>
[Trait("Category", Category.EndToEnd)]
public sealed class StartupFailureTests
{
    [Theory]
    [InlineData("Security__Mode", "None", "Security__Mode")]
    [InlineData("Payments__AccountIds", " ", "Payments__AccountIds")]
    public async Task A_configuration_error_ends_the_process_with_one_line_and_exit_code_1(string setting, string value, string named)
    {
        var psi = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Payments.LocalHost.dll"), "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        psi.Environment["AZURE_FUNCTIONS_ENVIRONMENT"] = "Production";
        psi.Environment["DOTNET_ENVIRONMENT"] = "Production";
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["Security__Mode"] = "None";
        psi.Environment[setting] = value;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        var output = (await stdout + await stderr).Trim();
        Assert.True(process.ExitCode == 1, $"exit code {process.ExitCode}: {output}");
        Assert.DoesNotContain('\n', output);
        Assert.Contains(named, output);
        Assert.DoesNotContain("   at ", output);
    }
}
