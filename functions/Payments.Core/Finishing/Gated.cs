namespace Payments.Core.Finishing;

/// <summary>What a call through a <see cref="DependencyBreaker"/> came to: the dependency's answer, or
/// <see cref="Deferred"/>: the dependency is down for everyone, so the work waits <see cref="RetryAfter"/>
/// without spending an attempt of its budget.</summary>
public readonly record struct Gated<T>(T? Value, TimeSpan? RetryAfter)
{
    public bool Deferred => RetryAfter is not null;
}
