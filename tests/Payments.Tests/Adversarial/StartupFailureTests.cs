using System.Diagnostics;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Adversarial;

/// <summary>The built local host, started with a setting that is not allowed: the reason on one line, exit code 1.</summary>
[Trait("Category", Category.EndToEnd)]
public sealed class StartupFailureTests
{
    [Theory]
    [InlineData("Security__Mode", "None", "Security__Mode")]                              // not allowed outside Development
    [InlineData("Payments__AccountIds", " ", "Payments__AccountIds")]                     // missing
    [InlineData("Finishing__MaxAttempts", "ten-thousand", "Finishing__MaxAttempts")]      // malformed
    [InlineData("Finishing__MaxBacklog", "-7", "Finishing__MaxBacklog")]                  // out of range
    [InlineData("Google__Timeout", "soon-ish", "Google__Timeout")]                        // malformed timeout
    [InlineData("BackOffice__Provider", "CrmCom", "BackOffice__CrmCom__BaseUrl")]         // cross-field: CRM.COM's settings missing
    [InlineData("Storage__MaxRetries", "999", "Storage__MaxRetries")]                     // out of range
    public async Task A_configuration_error_ends_the_process_with_one_line_and_exit_code_1(string setting, string value, string named)
    {
        var psi = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Payments.LocalHost.dll"), "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        // Development (where Security__Mode=None is allowed) unless the case is about that: only the setting under test is wrong.
        var environment = setting == "Security__Mode" ? "Production" : "Development";
        psi.Environment["AZURE_FUNCTIONS_ENVIRONMENT"] = environment;
        psi.Environment["DOTNET_ENVIRONMENT"] = environment;
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
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
        if (value.Length > 4 && !named.Contains(value, StringComparison.Ordinal)) Assert.DoesNotContain(value, output, StringComparison.Ordinal);
    }
}
