using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Payments.Core.Storage;

namespace Payments.Core.Protocol;

/// <summary>One protocol method's logic. The processor does everything common (strict parsing, the
/// header rules, the PIAID check); a handler adds its required fields, field rules and the effect.</summary>
public interface IProtocolHandler
{
    ProtocolMethod Method { get; }
    /// <summary>Whether calls change state (and so go through the idempotency ledger).</summary>
    bool IsMutating { get; }
    ProtocolRequest Deserialize(JsonElement root);
    /// <summary>The request's wire type: which fields accept two forms (see <see cref="StrictJson.Fingerprint"/>).</summary>
    JsonTypeInfo RequestType { get; }
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
    public JsonTypeInfo RequestType => TypeInfo;

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

    /// <summary>Free text Google writes (descriptions, names): stored with the transaction, so bounded well
    /// below what one Table Storage property holds (32 K UTF-16 characters), and checked before anything
    /// is written against <see cref="RequestRules.IsFreeText"/>.</summary>
    public const int MaxTextLength = 4096;

    /// <summary>Short codes Google writes (a mandate's frequency).</summary>
    public const int MaxCodeLength = 64;

    /// <summary>The last millisecond a stored date can name (9999-12-31T23:59:59.999Z).</summary>
    public static readonly long MaxEpochMillis = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    protected static void ValidateText(string? value, string name, int max = MaxTextLength)
    {
        if (value is null) return;
        if (value.Length > max) throw ProtocolException.InvalidField($"{name} is longer than {max} characters");
        if (!RequestRules.IsFreeText(value))
            throw ProtocolException.InvalidField($"{name} contains control characters, directional overrides, line separators, noncharacters or malformed text");
    }

    /// <summary>A date to store: from 1970 (dates before it have no use here) up to the last one a
    /// DateTimeOffset (and Table Storage) holds.</summary>
    protected static void ValidateDate(WireTimestamp? value, string name)
    {
        if (value is { } v && (v.EpochMillis < 0 || v.EpochMillis > MaxEpochMillis))
            throw ProtocolException.InvalidField($"{name} must be between 1970-01-01 and 9999-12-31");
    }

    /// <summary>An escaped id leaves room in its partition key for the account id and the key's prefix.</summary>
    public const int MaxEscapedIdLength = 400;

    /// <summary>Ids Google generates freely (mandateId): they become part of storage keys, so they are
    /// bounded and follow the identifier rule (<see cref="RequestRules.IsPrintableId"/>).</summary>
    protected static void ValidateExternalId(string value, string name)
    {
        if (value.Length > 256) throw ProtocolException.InvalidField($"{name} is longer than 256 characters");
        // Percent-encoded into a partition key, which Table Storage caps at 1 KiB (512 UTF-16 characters).
        if (Storage.TableKeys.Escape(value).Length > MaxEscapedIdLength)
            throw ProtocolException.InvalidField($"{name} has too many characters that storage keys cannot hold");
        if (!RequestRules.IsPrintableId(value, int.MaxValue))
            throw ProtocolException.InvalidField($"{name} contains control characters, directional controls, line separators, noncharacters or malformed text");
    }

    /// <summary>Ids Google generates for us to look up (request ids): the requestId rules.</summary>
    protected static void ValidateRequestIdReference(string value, string name)
    {
        if (!RequestRules.IsValidRequestId(value))
            throw ProtocolException.InvalidField($"{name} must be 1-100 characters of A-Z a-z 0-9 : - _");
    }
}

/// <summary>
/// One text policy for every string we store or echo, protocol fields and internal routes alike
/// (docs/input-limits.md, "Text"). Such strings end up in operator views, logs and storage keys, so
/// none may hold what hides or reorders text there: control characters, the directional embeddings,
/// overrides and isolates (U+202A–202E, U+2066–2069), the line and paragraph separators, noncharacters
/// (U+FDD0–FDEF, U+xFFFE/xFFFF) or a lone surrogate.
/// </summary>
public static class RequestRules
{
    /// <summary>An id chosen freely by Google or the integrator's own systems (a mandateId, a store's
    /// transaction id, a reference number): 1 to <paramref name="maxLength"/> characters of the text
    /// policy, without tab or line breaks and without the directional marks (U+200E, U+200F, U+061C),
    /// so that it can be stored, echoed and logged as it is.</summary>
    public static bool IsPrintableId(string? value, int maxLength) =>
        !string.IsNullOrEmpty(value) && value.Length <= maxLength && IsText(value, freeText: false);

    /// <summary>Free text (descriptions, names, a frequency): the text policy, where tab, CR, LF and the
    /// directional marks (U+200E, U+200F, U+061C, which mixed-direction text needs) are allowed.</summary>
    public static bool IsFreeText(string value) => IsText(value, freeText: true);

    private static bool IsText(string value, bool freeText)
    {
        for (var i = 0; i < value.Length; i++)
        {
            int c = value[i];
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                c = char.ConvertToUtf32(value[i], value[++i]);
            else if (char.IsSurrogate(value[i])) return false;
            if (!IsAllowed(c, freeText)) return false;
        }
        return true;
    }

    private static bool IsAllowed(int c, bool freeText) => c switch
    {
        0x09 or 0x0A or 0x0D => freeText,
        < 0x20 or (>= 0x7F and <= 0x9F) => false, // C0, DEL, C1
        0x200E or 0x200F or 0x061C => freeText,
        (>= 0x202A and <= 0x202E) or (>= 0x2066 and <= 0x2069) or 0x2028 or 0x2029 => false,
        >= 0xFDD0 and <= 0xFDEF => false,
        _ => (c & 0xFFFE) != 0xFFFE, // U+xFFFE and U+xFFFF in every plane
    };

    public static bool IsValidRequestId(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 100) return false;
        foreach (var c in value)
            if (!(char.IsAsciiLetterOrDigit(c) || c is ':' or '-' or '_')) return false;
        return true;
    }
}
