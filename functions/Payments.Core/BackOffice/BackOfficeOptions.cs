using Microsoft.Extensions.Options;

namespace Payments.Core.BackOffice;

/// <summary>Which back office books refunds and cancellations (<c>BackOffice:*</c>).</summary>
public sealed class BackOfficeOptions
{
    public const string Section = "BackOffice";
    public const string ProviderNone = "None";
    public const string ProviderCrmCom = "CrmCom";

    /// <summary><c>None</c> (ledger only) or <c>CrmCom</c>.</summary>
    public string? Provider { get; set; } = ProviderNone;
    public CrmComOptions CrmCom { get; set; } = new();

    /// <summary>How long a synchronous capture or refund waits for its booking before it answers 503 (Google retries
    /// with the same requestId; a background worker finishes the booking meanwhile). Google counts an answer later
    /// than 7 s as unavailable and wants 90 % within 3 s.</summary>
    public TimeSpan SynchronousBookingTimeout { get; set; } = TimeSpan.FromSeconds(3);

    public bool IsCrmCom => string.Equals(Provider?.Trim(), ProviderCrmCom, StringComparison.OrdinalIgnoreCase);
    public bool IsNone => string.IsNullOrWhiteSpace(Provider) || string.Equals(Provider.Trim(), ProviderNone, StringComparison.OrdinalIgnoreCase);
}
