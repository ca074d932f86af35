namespace Payments.Core.Protocol;

/// <summary>A validated amount: more than zero micros of an ISO 4217 currency.</summary>
public sealed record Money(long Micros, string CurrencyCode);
