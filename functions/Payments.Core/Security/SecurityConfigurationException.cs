
namespace Payments.Core.Security;

/// <summary>
/// A security setting is missing, malformed or holds no usable (active) key. Thrown at start-up so the
/// host refuses to run rather than answer Google wrongly. The message names the setting in its
/// environment-variable form (<c>Security__Pgp__IntegratorPrivateKeys</c>) and never contains key material.
/// </summary>
public sealed class SecurityConfigurationException : InvalidOperationException
{
    public SecurityConfigurationException(string settingName, string problem)
        : base($"{Display(settingName)}: {problem}") => Setting = Display(settingName);

    /// <summary>The setting at fault, in <c>Section__Key</c> form.</summary>
    public string Setting { get; }

    /// <summary>"Security:Pgp:Passphrase" → "Security__Pgp__Passphrase" (how operators set it).</summary>
    public static string Display(string settingName) => Configuration.Settings.EnvironmentName(settingName);
}
