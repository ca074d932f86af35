using System.Text.Json;

namespace Payments.Core.Notifications;

/// <summary>Where a v1 reference number was paid (optional).</summary>
public sealed record PaymentLocation(string? BrandName, string? LocationId);
