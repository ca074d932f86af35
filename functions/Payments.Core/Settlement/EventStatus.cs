namespace Payments.Core.Settlement;

/// <summary>How an event matched (docs/protocol.md, "Settlement"): every value but <see cref="Matched"/> is a discrepancy.</summary>
public static class EventStatus
{
    public const string Matched = "Matched";
    /// <summary>No movement of ours under its eventRequestId.</summary>
    public const string UnknownEvent = "UnknownEvent";
    /// <summary>A capture event naming one of our refunds, or the reverse.</summary>
    public const string KindDiffers = "KindDiffers";
    /// <summary>paymentIntegratorEventId is neither our id for the movement nor its reference number.</summary>
    public const string EventIdDiffers = "EventIdDiffers";
    public const string AmountDiffers = "AmountDiffers";
    public const string CurrencyDiffers = "CurrencyDiffers";
    /// <summary>The eventRequestId appeared before: on this statement or an earlier one.</summary>
    public const string DuplicateEvent = "DuplicateEvent";
    /// <summary>eventRequestId or eventCharge absent or malformed.</summary>
    public const string Malformed = "Malformed";
    /// <summary>Reverse refunds, chargebacks, their reversals, adjustments: never accepted automatically.</summary>
    public const string ForOperator = "ForOperator";
    /// <summary>An event array of a name we do not know.</summary>
    public const string UnknownEventArray = "UnknownEventArray";
    /// <summary>A shape problem the page's parser reported.</summary>
    public const string PageProblem = "PageProblem";
}
