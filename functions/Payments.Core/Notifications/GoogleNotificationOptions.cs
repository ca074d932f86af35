using System.ComponentModel.DataAnnotations;

namespace Payments.Core.Notifications;

/// <summary>Where and how Google's notification endpoints are called (<c>Google:*</c>).</summary>
public sealed class GoogleNotificationOptions : IValidatableObject
{
    public const string Section = "Google";

    /// <summary>Base of Google-hosted calls, e.g. <c>https://vgw.sandbox.google.com/gsp</c>.</summary>
    [Required(ErrorMessage = "must be set to an absolute http(s) URL, e.g. https://vgw.sandbox.google.com/gsp.")]
    public Uri? BaseUrl { get; set; }
    /// <summary>Timeout of one attempt.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BaseUrl is not { IsAbsoluteUri: true } || (BaseUrl.Scheme != Uri.UriSchemeHttps && BaseUrl.Scheme != Uri.UriSchemeHttp))
            yield return new ValidationResult("must be set to an absolute http(s) URL, e.g. https://vgw.sandbox.google.com/gsp.", [nameof(BaseUrl)]);
        if (Timeout <= TimeSpan.Zero)
            yield return new ValidationResult("must be positive.", [nameof(Timeout)]);
    }
}
