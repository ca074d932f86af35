using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Payments.Core.Storage;

namespace Payments.Core.Protocol;

/// <summary>A method whose validated request is the wire request itself (echo: nothing to check).</summary>
internal abstract class ProtocolHandler<TRequest> : ProtocolHandler<TRequest, TRequest> where TRequest : ProtocolRequest
{
    protected override TRequest Validate(TRequest request) => request;
}

/// <summary>A method: its required fields, the rules that turn the nullable wire request
/// <typeparamref name="TRequest"/> into the non-null <typeparamref name="TValid"/>, and the effect.</summary>
internal abstract class ProtocolHandler<TRequest, TValid> : IProtocolHandler where TRequest : ProtocolRequest where TValid : notnull
{
    public abstract ProtocolMethod Method { get; }
    public virtual bool IsMutating => true;
    protected abstract JsonTypeInfo<TRequest> TypeInfo { get; }
    public JsonTypeInfo RequestType => TypeInfo;

    public ProtocolRequest Deserialize(JsonElement root) =>
        root.Deserialize(TypeInfo) ?? throw new JsonException("request body is null");

    void IProtocolHandler.CollectMissing(ProtocolRequest request, List<string> missing) => CollectMissing((TRequest)request, missing);
    object IProtocolHandler.Validate(ProtocolRequest request) => Validate((TRequest)request);
    Task<string> IProtocolHandler.ExecuteAsync(ProtocolCall call, CancellationToken cancellationToken) =>
        ExecuteAsync(call, (TValid)call.Request, cancellationToken);

    protected virtual void CollectMissing(TRequest request, List<string> missing) { }
    protected abstract TValid Validate(TRequest request);
    protected abstract Task<string> ExecuteAsync(ProtocolCall call, TValid request, CancellationToken cancellationToken);

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

    /// <summary>A field <see cref="CollectMissing"/> required: present, as the checks before this one made sure.</summary>
    protected static T Present<T>(T? value, string name) where T : class =>
        value ?? throw ProtocolException.Missing([name]);

    /// <inheritdoc cref="Present{T}(T, string)"/>
    protected static T Present<T>(T? value, string name) where T : struct =>
        value ?? throw ProtocolException.Missing([name]);

    protected static Money ValidateFlatAmount(string? currencyCode, long? amount)
    {
        var money = new Money(Present(amount, "amount"), Present(currencyCode, "currencyCode"));
        ValidateCurrency(money.CurrencyCode, "currencyCode");
        ValidatePositive(money.Micros, "amount");
        return money;
    }

    protected static Money ValidateAmount(Amount? amount, string name)
    {
        var present = Present(amount, name);
        var money = new Money(Present(present.AmountMicros, name + ".amountMicros"), Present(present.CurrencyCode, name + ".currencyCode"));
        ValidateCurrency(money.CurrencyCode, name + ".currencyCode");
        ValidatePositive(money.Micros, name + ".amountMicros");
        return money;
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
    protected static string ValidateExternalId(string? id, string name)
    {
        var value = Present(id, name);
        if (value.Length > 256) throw ProtocolException.InvalidField($"{name} is longer than 256 characters");
        // Percent-encoded into a partition key, which Table Storage caps at 1 KiB (512 UTF-16 characters).
        if (Storage.TableKeys.Escape(value).Length > MaxEscapedIdLength)
            throw ProtocolException.InvalidField($"{name} has too many characters that storage keys cannot hold");
        if (!RequestRules.IsPrintableId(value, int.MaxValue))
            throw ProtocolException.InvalidField($"{name} contains control characters, directional controls, line separators, noncharacters or malformed text");
        return value;
    }

    /// <summary>Ids Google generates for us to look up (request ids): the requestId rules.</summary>
    protected static string ValidateRequestIdReference(string? value, string name)
    {
        if (!RequestRules.IsValidRequestId(value))
            throw ProtocolException.InvalidField($"{name} must be 1-100 characters of A-Z a-z 0-9 : - _");
        return value;
    }
}
