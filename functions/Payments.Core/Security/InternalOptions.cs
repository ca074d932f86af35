namespace Payments.Core.Security;

/// <summary>The internal routes' key (<c>Internal:*</c>, <see cref="InternalAccess"/>).</summary>
public sealed class InternalOptions
{
    public const string Section = "Internal";

    /// <summary>What the <c>x-internal-key</c> header must carry; unset (or shorter than
    /// <see cref="InternalAccess.MinKeyLength"/>): the internal routes refuse every call.</summary>
    public string? ApiKey { get; set; }
}
