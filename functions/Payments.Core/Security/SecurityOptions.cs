using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Payments.Core.Security;

/// <summary>How messages to and from Google are protected (<c>Security:*</c>, docs/protocol.md §7).</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";
    public const string ModeSetting = Section + ":" + nameof(Mode);

    /// <summary><c>Pgp</c>, <c>Jwe</c>, or <c>None</c> (plain JSON; Development only).</summary>
    public string? Mode { get; set; }
    public PgpOptions Pgp { get; set; } = new();
    public JweOptions Jwe { get; set; } = new();
}
