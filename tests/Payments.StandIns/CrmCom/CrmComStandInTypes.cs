namespace Payments.StandIns.CrmCom;

/// <summary>Configuration of the CRM.COM stand-in. The credentials are what the adapter must send at login.</summary>
public sealed class CrmComStandInOptions
{
    public string Username { get; init; } = "gsp-integration";
    public string Password { get; init; } = "crm-pa55word-" + Guid.NewGuid().ToString("N")[..12];
    public string Organisation { get; init; } = "InvisiCash";
    /// <summary>Tokens expire this long after they are issued (CRM.COM: 2 h). Seconds in tests.</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromHours(2);
    /// <summary>true: tokens are JWTs carrying <c>iat</c>/<c>exp</c> (newer releases); false: opaque hex strings (older releases).</summary>
    public bool JwtTokens { get; init; } = true;
    public string PaymentCancellationType { get; init; } = "Payment Cancellation";
    public string RefundType { get; init; } = "Refund";
    /// <summary>The financial transaction type payments/create accepts (a synchronous capture's payment).</summary>
    public string PaymentType { get; init; } = "Payment";
}

/// <summary>A fault the stand-in applies to one call.</summary>
public enum CrmComFault
{
    None,
    /// <summary>HTTP 500 with an <c>INTERNAL_ERROR</c> envelope; nothing is booked.</summary>
    Http500BeforeBooking,
    /// <summary>HTTP 200 with an <c>INTERNAL_ERROR</c> envelope; nothing is booked.</summary>
    TechnicalErrorBeforeBooking,
    /// <summary>The connection is dropped before anything is done.</summary>
    DropBeforeBooking,
    /// <summary>The booking is made, then HTTP 500 with an <c>INTERNAL_ERROR</c> envelope.</summary>
    Http500AfterBooking,
    /// <summary>The booking is made, then the connection is dropped (no answer).</summary>
    DropAfterBooking,
    /// <summary>The booking is made, then the answer waits <see cref="CrmComFaults.SlowDelay"/> (past the client's timeout).</summary>
    SlowAfterBooking,
    /// <summary>The booking is made, then HTTP 200 with a body that is not JSON.</summary>
    GarbageAfterBooking,
}

/// <summary>One booking made by the stand-in (a payment cancellation, a refund or a created payment).</summary>
public sealed record CrmComBooking(
    string Kind,
    string Id,
    string Number,
    string BackOfficeCode,
    string PaymentReferenceNumber,
    decimal Amount,
    string? IssueReason,
    DateTimeOffset BookedAt);

/// <summary>A posted payment seeded by a test.</summary>
public sealed record CrmComPayment(
    string Id,
    string Number,
    string ReferenceNumber,
    decimal Amount,
    string Currency,
    string LifeCycleState,
    decimal Refunded)
{
    /// <summary>The back_office_code a payments/create gave it (a synchronous capture's).</summary>
    public string? BackOfficeCode { get; init; }
}

/// <summary>One request the stand-in received (never with its body).</summary>
public sealed record CrmComRequestRecord(string Method, string Path, string? StatusCode, CrmComFault Fault, DateTimeOffset At);

/// <summary>Fault injection of the stand-in; thread-safe, changeable while running.</summary>
public sealed class CrmComFaults
{
    private readonly object _lock = new();
    private readonly Queue<CrmComFault> _bookingFaults = new();
    private readonly Queue<CrmComFault> _lookUpFaults = new();
    private readonly Dictionary<string, (string Code, string Message)> _refusals = new(StringComparer.Ordinal);
    private Random _random = new(1);
    private double _share;
    private CrmComFault[] _randomFaults = [CrmComFault.Http500BeforeBooking];

    /// <summary>Down for everyone: every call (login, booking, look-up) is answered HTTP 503 without an envelope, nothing is booked.</summary>
    public bool Down { get; set; }
    /// <summary>Delay before every answer (all methods).</summary>
    public TimeSpan Latency { get; set; }
    /// <summary>How long <see cref="CrmComFault.SlowAfterBooking"/> waits before answering.</summary>
    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The next <paramref name="count"/> booking calls (payments/cancel, refunds/create) get <paramref name="fault"/>.</summary>
    public void FailNextBookings(CrmComFault fault, int count = 1)
    {
        lock (_lock) for (var i = 0; i < count; i++) _bookingFaults.Enqueue(fault);
    }

    /// <summary>The next <paramref name="count"/> look-ups (…/show) get <paramref name="fault"/> (only the before-booking kinds and the slow/drop kinds make sense).</summary>
    public void FailNextLookUps(CrmComFault fault, int count = 1)
    {
        lock (_lock) for (var i = 0; i < count; i++) _lookUpFaults.Enqueue(fault);
    }

    /// <summary>A share (0..1) of booking calls, drawn with a seeded Random, get one of <paramref name="faults"/>.</summary>
    public void FailRandomBookings(double share, int seed, params CrmComFault[] faults)
    {
        lock (_lock)
        {
            _share = share;
            _random = new Random(seed);
            _randomFaults = faults.Length == 0 ? [CrmComFault.Http500BeforeBooking] : faults;
        }
    }

    /// <summary>Every booking against the payment <paramref name="referenceNumber"/> is refused with the envelope <paramref name="code"/>.</summary>
    public void RefuseReference(string referenceNumber, string code, string? message = null)
    {
        lock (_lock) _refusals[referenceNumber] = (code, message ?? $"Refused by the back office: {code}");
    }

    public void Clear()
    {
        lock (_lock)
        {
            _bookingFaults.Clear();
            _lookUpFaults.Clear();
            _refusals.Clear();
            _share = 0;
        }
        Latency = TimeSpan.Zero;
    }

    internal CrmComFault NextBookingFault()
    {
        lock (_lock)
        {
            if (_bookingFaults.TryDequeue(out var fault)) return fault;
            if (_share > 0 && _random.NextDouble() < _share) return _randomFaults[_random.Next(_randomFaults.Length)];
            return CrmComFault.None;
        }
    }

    internal CrmComFault NextLookUpFault()
    {
        lock (_lock) return _lookUpFaults.TryDequeue(out var fault) ? fault : CrmComFault.None;
    }

    internal (string Code, string Message)? RefusalFor(string referenceNumber)
    {
        lock (_lock) return _refusals.TryGetValue(referenceNumber, out var r) ? r : null;
    }
}
