using Payments.Core.Settlement;

namespace Payments.StandIns.Google;

/// <summary>What the stand-in does with one statement call (remittanceStatementDetails, acceptRemittanceStatement)
/// instead of answering it normally.</summary>
public enum StatementFault
{
    None,
    /// <summary>HTTP 503, empty body.</summary>
    ServiceUnavailable,
    /// <summary>HTTP 429, empty body.</summary>
    TooManyRequests,
    /// <summary>No answer for <see cref="GoogleFaultPolicy.HangFor"/> of the notification policy (past the client's timeout).</summary>
    Hang,
    /// <summary>HTTP 404 with an empty body: what Google answers for key, signature or PIAID trouble.</summary>
    EmptyNotFound,
    /// <summary>HTTP 400 with a plain-text body, not sealed (Google's generic error).</summary>
    GenericText,
    /// <summary>A sealed ErrorResponse with <see cref="GoogleFaultPolicy.ErrorResponseStatus"/> / <see cref="GoogleFaultPolicy.ErrorResponseCode"/>.</summary>
    ErrorResponse,
    /// <summary>HTTP 200 with a body that is neither sealed nor JSON.</summary>
    GarbageOk,
    /// <summary>HTTP 200 with 5 MiB of body, streamed without a Content-Length.</summary>
    OversizedPage,
    /// <summary>The page's <c>nextEventOffset</c> equals its <c>eventOffset</c> (does not advance).</summary>
    OffsetDoesNotAdvance,
    /// <summary>The page's <c>nextEventOffset</c> is 0 (jumps back).</summary>
    OffsetJumpsBack,
    /// <summary>The page says <c>totalEvents</c> one less than the statement holds.</summary>
    MoreEventsThanTotal,
    /// <summary>The page carries one more array, <c>mysteryEvents</c>, with one event.</summary>
    UnknownEventArray,
}

/// <summary>One statement call as the fault rule sees it.</summary>
/// <param name="Attempt">1-based attempt of this requestId</param>
/// <param name="CallNumber">1-based number among all statement calls</param>
public sealed record StatementCall(string Method, string PaymentIntegratorAccountId, string StatementId, string RequestId, long EventOffset, int Attempt, int CallNumber);

/// <summary>One statement call the stand-in received.</summary>
/// <param name="HttpStatus">what the stand-in answered (0 when it hung until the client left)</param>
public sealed record ReceivedStatementCall(string Api, string Method, string PaymentIntegratorAccountId, string? StatementId, string RequestId,
    long EventOffset, int? NumberOfEvents, StatementFault Fault, int HttpStatus, DateTimeOffset ReceivedAt, string RawJson);

/// <summary>A statement registered on the stand-in.</summary>
/// <param name="PageSize">the most events per page, whatever the caller asks (null: as asked)</param>
public sealed record StandInStatement(StatementRef Ref, RemittanceSummary Summary, IReadOnlyList<StatementEvent> Events, int? PageSize);
