using System.Collections;

namespace Payments.Core.Protocol;

/// <summary>
/// The keys of one protocol call, filled in as validation learns them and read whenever a line is logged:
/// as a logging scope over the whole call, every line (the handler's, storage's, the outcome, a refusal)
/// carries them as structured values, which Application Insights shows as custom dimensions.
/// </summary>
internal sealed class CallKeys : IReadOnlyList<KeyValuePair<string, object?>>
{
    /// <summary>Set only once it is well-formed (it is an identifier then, safe to log).</summary>
    public string? RequestId { get; set; }
    /// <summary>Set only once it is one this deployment serves.</summary>
    public string? PaymentIntegratorAccountId { get; set; }

    private IEnumerable<KeyValuePair<string, object?>> Known()
    {
        if (RequestId is not null) yield return new("requestId", RequestId);
        if (PaymentIntegratorAccountId is not null) yield return new("paymentIntegratorAccountId", PaymentIntegratorAccountId);
    }

    public int Count => Known().Count();
    public KeyValuePair<string, object?> this[int index] => Known().ElementAt(index);
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => Known().GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    public override string ToString() => string.Join(" ", Known().Select(k => $"{k.Key}={k.Value}"));
}
