using Microsoft.Extensions.Configuration;
using Payments.Core.Hosting;

namespace Payments.Core.Security;

/// <summary>Chooses the envelope by <c>Security:Mode</c>. (Placeholder until the PGP/JWE envelopes land.)</summary>
public static class MessageEnvelopes
{
    public static IMessageEnvelope Create(IConfiguration configuration)
    {
        var mode = configuration[SettingNames.SecurityMode] ?? "None";
        if (!string.Equals(mode, "None", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"Setting Security__Mode={mode} is not supported by this build.");
        var environment = configuration[SettingNames.FunctionsEnvironment] ?? configuration[SettingNames.DotnetEnvironment];
        if (!string.Equals(environment, "Development", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException("Setting Security__Mode=None (plain JSON) is allowed only when AZURE_FUNCTIONS_ENVIRONMENT or DOTNET_ENVIRONMENT is Development.");
        return new PlainJsonEnvelope();
    }
}
