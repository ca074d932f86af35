using Microsoft.Extensions.Options;

namespace Payments.Core.Storage;

/// <summary>
/// The app's storage connection, setting <see cref="Section"/> — also the queue triggers' <c>Connection</c>: a
/// connection string as its value, or the identity-based sub-settings. The Functions host resolves a
/// connection named X as <c>AzureWebJobsX</c> first, then X (Hosting's ConnectionSetting), so the app binds
/// whichever of the two the host reads; "Storage" would read the host's own AzureWebJobsStorage, so the name
/// is one no host setting shadows.
/// </summary>
public sealed class StorageConnectionOptions
{
    public const string Section = "PaymentsStorage";

    /// <summary>The section's own value: <c>UseDevelopmentStorage=true</c> or <c>AccountName=…;AccountKey=…</c>.</summary>
    public string? ConnectionString { get; internal set; }
    public string? TableServiceUri { get; set; }
    public string? QueueServiceUri { get; set; }
    /// <summary><c>managedidentity</c>, or empty for DefaultAzureCredential.</summary>
    public string? Credential { get; set; }
    /// <summary>Client id of a user-assigned managed identity.</summary>
    public string? ClientId { get; set; }

    /// <summary>The setting name the host reads (<c>AzureWebJobsPaymentsStorage</c> when that is set).</summary>
    public string Name { get; internal set; } = Section;
}
