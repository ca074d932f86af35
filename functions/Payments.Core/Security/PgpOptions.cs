using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Payments.Core.Security;

public sealed class PgpOptions
{
    public const string Section = SecurityOptions.Section + ":" + nameof(SecurityOptions.Pgp);
    public const string IntegratorPrivateKeysSetting = Section + ":" + nameof(IntegratorPrivateKeys);
    public const string PassphraseSetting = Section + ":" + nameof(Passphrase);
    public const string GooglePublicKeysSetting = Section + ":" + nameof(GooglePublicKeys);

    /// <summary>Armored secret key block(s) of ours.</summary>
    public string? IntegratorPrivateKeys { get; set; }
    /// <summary>Passphrase of those keys, or empty.</summary>
    public string? Passphrase { get; set; }
    /// <summary>Armored public key block(s) of Google.</summary>
    public string? GooglePublicKeys { get; set; }
}
