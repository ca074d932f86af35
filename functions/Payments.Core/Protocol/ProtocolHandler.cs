using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Payments.Core.Protocol;

/// <summary>One protocol method's logic. The processor does everything common (strict parsing, the
/// header rules, the PIAID check); a handler adds its required fields, field rules and the effect.</summary>
public interface IProtocolHandler
{
    ProtocolMethod Method { get; }
    /// <summary>Whether calls change state (and so go through the idempotency ledger).</summary>
    bool IsMutating { get; }
    ProtocolRequest Deserialize(JsonElement root);
    void CollectMissing(ProtocolRequest request, List<string> missing);
    void ValidateFields(ProtocolRequest request);
    /// <returns>the response payload: a JSON object without <c>responseHeader</c>.</returns>
    Task<string> ExecuteAsync(ProtocolCall call, CancellationToken cancellationToken);
}

/// <summary>A validated call. <paramref name="Fingerprint"/> is the idempotency fingerprint (empty for echo).</summary>
public sealed record ProtocolCall(
    ProtocolMethod Method,
    ProtocolRequest Request,
    string? PaymentIntegratorAccountId,
    string RequestId,
    string Fingerprint,
    DateTimeOffset Now);

public abstract class ProtocolHandler<TRequest> : IProtocolHandler where TRequest : ProtocolRequest
{
    public abstract ProtocolMethod Method { get; }
    public virtual bool IsMutating => true;
    protected abstract JsonTypeInfo<TRequest> TypeInfo { get; }

    public ProtocolRequest Deserialize(JsonElement root) =>
        root.Deserialize(TypeInfo) ?? throw new JsonException("request body is null");

    void IProtocolHandler.CollectMissing(ProtocolRequest request, List<string> missing) => CollectMissing((TRequest)request, missing);
    void IProtocolHandler.ValidateFields(ProtocolRequest request) => ValidateFields((TRequest)request);
    Task<string> IProtocolHandler.ExecuteAsync(ProtocolCall call, CancellationToken cancellationToken) =>
        ExecuteAsync(call, (TRequest)call.Request, cancellationToken);

    protected virtual void CollectMissing(TRequest request, List<string> missing) { }
    protected virtual void ValidateFields(TRequest request) { }
    protected abstract Task<string> ExecuteAsync(ProtocolCall call, TRequest request, CancellationToken cancellationToken);

    // Shared field rules.

    protected static void Require(List<string> missing, string? value, string name)
    {
        if (string.IsNullOrEmpty(value)) missing.Add(name);
    }

    protected static void RequireAmount(List<string> missing, Amount? amount, string name)
    {
        if (amount is null) { missing.Add(name); return; }
        if (amount.AmountMicros is null) missing.Add(name + ".amountMicros");
        if (string.IsNullOrEmpty(amount.CurrencyCode)) missing.Add(name + ".currencyCode");
    }

    /// <summary>v1 methods that carry <c>currencyCode</c> and <c>amount</c> (micros) as flat fields.</summary>
    protected static void RequireFlatAmount(List<string> missing, string? currencyCode, long? amount)
    {
        Require(missing, currencyCode, "currencyCode");
        if (amount is null) missing.Add("amount");
    }

    protected static void ValidateFlatAmount(string currencyCode, long amount)
    {
        ValidateCurrency(currencyCode, "currencyCode");
        ValidatePositive(amount, "amount");
    }

    protected static void ValidateAmount(Amount amount, string name)
    {
        ValidateCurrency(amount.CurrencyCode!, name + ".currencyCode");
        ValidatePositive(amount.AmountMicros!.Value, name + ".amountMicros");
    }

    protected static void ValidateCurrency(string currency, string name)
    {
        if (!Currencies.IsIso4217(currency))
            throw ProtocolException.InvalidField($"{name} is not an ISO 4217 currency code");
    }

    protected static void ValidatePositive(long micros, string name)
    {
        if (micros <= 0) throw ProtocolException.InvalidField($"{name} must be greater than zero");
    }

    /// <summary>Ids Google generates freely (mandateId): they become part of storage keys, so they are
    /// bounded and free of control characters.</summary>
    protected static void ValidateExternalId(string value, string name)
    {
        if (value.Length > 256) throw ProtocolException.InvalidField($"{name} is longer than 256 characters");
        if (value.Any(char.IsControl) || value.Any(char.IsSurrogate) && !IsWellFormedUtf16(value))
            throw ProtocolException.InvalidField($"{name} contains control characters or malformed text");
    }

    private static bool IsWellFormedUtf16(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) { i++; continue; }
            if (char.IsSurrogate(value[i])) return false;
        }
        return true;
    }

    /// <summary>Ids Google generates for us to look up (request ids): the requestId rules.</summary>
    protected static void ValidateRequestIdReference(string value, string name)
    {
        if (!RequestRules.IsValidRequestId(value))
            throw ProtocolException.InvalidField($"{name} must be 1-100 characters of A-Z a-z 0-9 : - _");
    }
}

public static class RequestRules
{
    public static bool IsValidRequestId(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 100) return false;
        foreach (var c in value)
            if (!(char.IsAsciiLetterOrDigit(c) || c is ':' or '-' or '_')) return false;
        return true;
    }
}
