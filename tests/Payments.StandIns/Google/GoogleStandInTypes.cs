namespace Payments.StandIns.Google;

/// <summary>What the stand-in does with one notification call instead of accepting it.</summary>
public enum GoogleFault
{
    None,
    /// <summary>HTTP 503, empty body.</summary>
    ServiceUnavailable,
    /// <summary>No answer for <see cref="GoogleFaultPolicy.HangFor"/> (past the client's timeout), then 503.</summary>
    Hang,
    /// <summary>HTTP 200 with a body that is neither sealed nor JSON.</summary>
    GarbageOk,
    /// <summary>An ErrorResponse (sealed) with <see cref="GoogleFaultPolicy.ErrorResponseStatus"/> / <see cref="GoogleFaultPolicy.ErrorResponseCode"/>.</summary>
    ErrorResponse,
}

/// <summary>One call as the fault policy sees it.</summary>
/// <param name="Attempt">1-based attempt number of this notification requestId</param>
/// <param name="CallNumber">1-based number of this call among all calls the stand-in received</param>
public sealed record GoogleCall(string Method, string PaymentIntegratorAccountId, string RequestId, int Attempt, int CallNumber);

/// <summary>
/// Fault injection for <see cref="GoogleStandIn"/>. Checked in this order: <see cref="Custom"/>,
/// <see cref="FailFirstAttempts"/> (per requestId), <see cref="RefuseBeyondCalls"/> (all calls), random share.
/// </summary>
public sealed record GoogleFaultPolicy
{
    public static GoogleFaultPolicy None { get; } = new();

    /// <summary>The first N attempts of every notification requestId get <see cref="FirstAttemptsFault"/>.</summary>
    public int FailFirstAttempts { get; init; }
    public GoogleFault FirstAttemptsFault { get; init; } = GoogleFault.ServiceUnavailable;

    /// <summary>A share (0..1) of calls, drawn with <see cref="RandomSeed"/>, get <see cref="RandomFault"/>.</summary>
    public double RandomFailureShare { get; init; }
    public int RandomSeed { get; init; } = 1;
    public GoogleFault RandomFault { get; init; } = GoogleFault.ServiceUnavailable;

    /// <summary>Every call after the K-th (counting all calls) gets <see cref="RefusalFault"/>; null = no limit.
    /// 0 = refuse everything (e.g. to exhaust a retry budget).</summary>
    public int? RefuseBeyondCalls { get; init; }
    public GoogleFault RefusalFault { get; init; } = GoogleFault.ServiceUnavailable;

    /// <summary>Decides per call; a non-null answer wins over the other rules.</summary>
    public Func<GoogleCall, GoogleFault?>? Custom { get; init; }

    /// <summary>How long <see cref="GoogleFault.Hang"/> keeps the call open.</summary>
    public TimeSpan HangFor { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Delay before every answer.</summary>
    public TimeSpan Latency { get; init; }
    public int ErrorResponseStatus { get; init; } = 400;
    /// <summary>v1 <c>errorResponseCode</c>; for v2 it becomes the camelCase member of <c>errorResponseResult</c>.</summary>
    public string ErrorResponseCode { get; init; } = "INVALID_FIELD_VALUE";
}

/// <summary>One notification call the stand-in received (after the body was opened and parsed).</summary>
/// <param name="Fields">every body field except the requestHeader, flattened with dotted paths
/// (e.g. <c>refundResult</c>, <c>paymentTimestamp.epochMillis</c>, <c>paymentLocation.brandName</c>)</param>
/// <param name="Attempt">1-based attempt number of this requestId</param>
/// <param name="HttpStatus">what the stand-in answered (0 when it hung until the client left)</param>
public sealed record ReceivedNotification(
    string Api,
    int Version,
    string Method,
    string PaymentIntegratorAccountId,
    string RequestId,
    long? RequestTimestampMillis,
    IReadOnlyDictionary<string, string> Fields,
    DateTimeOffset ReceivedAt,
    int Attempt,
    GoogleFault Fault,
    int HttpStatus,
    bool Accepted,
    string RawJson);

/// <summary>A rule a real Google enforces that a call broke.</summary>
public sealed record GoogleViolation(string Method, string? RequestId, string Rule, string Detail, DateTimeOffset At);
