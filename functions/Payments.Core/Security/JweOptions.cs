using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Payments.Core.Security;

public sealed class JweOptions
{
    public const string Section = SecurityOptions.Section + ":" + nameof(SecurityOptions.Jwe);
    public const string IntegratorPrivateKeysSetting = Section + ":" + nameof(IntegratorPrivateKeys);
    public const string GooglePublicKeysSetting = Section + ":" + nameof(GooglePublicKeys);

    /// <summary>PEM private key(s) of ours.</summary>
    public string? IntegratorPrivateKeys { get; set; }
    /// <summary>PEM public key(s) or certificate(s) of Google.</summary>
    public string? GooglePublicKeys { get; set; }
}
