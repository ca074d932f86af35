using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Payments.Core.Protocol;
using Payments.Core.Security;
using Payments.StandIns.Gsp;

namespace Payments.StandIns.Chaos;

/// <summary>What the load driver does.</summary>
public sealed record LoadOptions
{
    public required Uri BaseAddress { get; init; }
    /// <summary>Requests per second, scheduled open-loop (a slow answer does not delay the next request).</summary>
    public double Rate { get; init; } = 50;
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(1);
    /// <summary>Before <see cref="Duration"/>: the rate ramps up from a tenth while the host's code is
    /// compiled and its connections open; those requests are audited but flagged <see cref="RequestRecord.WarmUp"/>.</summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.Zero;
    public int Seed { get; init; } = 1;
    /// <summary>Seals requests and opens responses as Google does (plain JSON when null; PGP plugs in here).</summary>
    public IMessageEnvelope? Envelope { get; init; }
    /// <summary>Share of requests that replay an earlier one (same body, fresh timestamp).</summary>
    public double ReplayShare { get; init; } = 0.10;
    /// <summary>Share of requests sent twice at once (concurrent duplicates).</summary>
    public double DuplicateShare { get; init; } = 0.03;
    /// <summary>Requests in flight beyond this are not sent (recorded as status -1) so a dead host cannot exhaust the driver.</summary>
    public int MaxInFlight { get; init; } = 3000;
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(20);
    /// <summary>Called before a store payment is reported (e.g. to seed the payment in the CRM.COM stand-in).</summary>
    public Action<string, long, string>? BeforePayment { get; init; }
    /// <summary>Only echo calls (no storage): the host's HTTP and protocol overhead alone, for "where the time goes".</summary>
    public bool EchoOnly { get; init; }
}

/// <summary>One request the driver made and what it got.</summary>
/// <param name="Kind">generate1, generate2, pay, cancelNumber, cancelNumber1 (v1), refund, refund2 (v2), reserve, capture, walletCapture, syncRefund, cancelReservation, createMandate, cancelMandate, echo</param>
/// <param name="Target">the transaction the call acts on (generate/reserve requestId, mandateId), or the created one</param>
/// <param name="Status">HTTP status; 0 = transport error; -1 = not sent (driver saturated)</param>
/// <param name="LatencyMs">from the scheduled send time to the end of the answer (open loop: queueing in the driver counts)</param>
/// <param name="WarmUp">sent during the warm-up: audited, but not in the latency figures</param>
public sealed record RequestRecord(
    long Sequence, string Kind, string Route, string RequestId, string? Target, string Body, int Status, string Response,
    double LatencyMs, DateTimeOffset ScheduledAt, bool Replay, bool Duplicate, long AmountMicros = 0, bool WarmUp = false);

/// <summary>
/// Plays Google (and the integrator's store systems) against one host base address: mixed traffic at a fixed
/// rate, open-loop, with replays and concurrent duplicates, recording every request and answer for the audit.
/// </summary>
public sealed class LoadDriver(LoadOptions options)
{
    private sealed record Sent(string Kind, string Route, JsonObject Body, string? Target, long Amount);
    private sealed class Number(string generateId, string piaid, string currency, long micros, string value, int version)
    {
        public int Version { get; } = version;
        public string GenerateId { get; } = generateId;
        public string Piaid { get; } = piaid;
        public string Currency { get; } = currency;
        public long Micros { get; } = micros;
        public string Value { get; } = value;
        public int PayAttempts;
        public string? TransactionId;
    }

    private readonly object _lock = new();
    private readonly Random _random = new(options.Seed);
    private readonly List<Number> _numbers = [];
    private readonly List<Number> _paid = [];
    private readonly List<string> _reservations = [];
    /// <summary>Reservations a capture was already sent for (one capture per reservation, but for the races).</summary>
    private readonly HashSet<string> _captureSent = [];
    /// <summary>Captures answered SUCCESS: what synchronous refunds refund.</summary>
    private readonly List<Capture> _captures = [];
    private sealed record Capture(string RequestId, string Piaid, long Micros, ProtocolMethod Refund);
    private readonly List<string> _mandates = [];
    private readonly List<Sent> _sent = [];
    private readonly ConcurrentQueue<RequestRecord> _records = new();
    private long _sequence;
    private DateTimeOffset _measuredFrom;
    private int _inFlight;

    public IReadOnlyCollection<RequestRecord> Records => _records;

    public async Task<IReadOnlyList<RequestRecord>> RunAsync(CancellationToken cancellationToken = default)
    {
        using var client = new GspClient(options.BaseAddress, options.Envelope, options.RequestTimeout);
        var warmUp = options.WarmUp.TotalSeconds;
        // Linear ramp from a tenth of the rate to the full rate over the warm-up, then steady.
        double RateAt(double seconds) => seconds >= warmUp ? options.Rate : options.Rate * (0.1 + 0.9 * seconds / warmUp);
        var end = options.WarmUp + options.Duration;
        var pending = new ConcurrentDictionary<long, Task>();
        var clock = Stopwatch.StartNew();
        var startedAt = DateTimeOffset.UtcNow;
        long tick = 0;
        var dueSeconds = 0.0;
        _measuredFrom = startedAt + options.WarmUp;
        while (clock.Elapsed < end && !cancellationToken.IsCancellationRequested)
        {
            var due = TimeSpan.FromSeconds(dueSeconds);
            var now = clock.Elapsed;
            if (now < due)
            {
                await Task.Delay(due - now < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : due - now, cancellationToken).ConfigureAwait(false);
                continue;
            }
            var id = tick++;
            dueSeconds += 1 / RateAt(dueSeconds);
            var task = TickAsync(client, clock, due, startedAt + due, cancellationToken);
            if (!task.IsCompleted)
            {
                pending[id] = task;
                _ = task.ContinueWith(_ => pending.TryRemove(id, out var _), TaskScheduler.Default);
            }
        }
        // Let the requests in flight finish (bounded by the request timeout).
        try
        {
            await Task.WhenAll(pending.Values).WaitAsync(options.RequestTimeout + TimeSpan.FromSeconds(30), CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A starved machine: whatever is still out is left unrecorded (the audit only relies on recorded 200s).
        }
        return [.. _records.OrderBy(r => r.Sequence)];
    }

    private async Task TickAsync(GspClient client, Stopwatch clock, TimeSpan due, DateTimeOffset scheduledAt, CancellationToken cancellationToken)
    {
        Func<Task>[] work;
        lock (_lock) work = Plan(client, clock, due, scheduledAt, cancellationToken);
        if (Interlocked.Add(ref _inFlight, work.Length) > options.MaxInFlight)
        {
            Interlocked.Add(ref _inFlight, -work.Length);
            _records.Enqueue(new RequestRecord(Interlocked.Increment(ref _sequence), "skipped", "", "", null, "", -1, "driver saturated", 0, scheduledAt, false, false));
            return;
        }
        try
        {
            await Task.WhenAll(work.Select(w => w())).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Add(ref _inFlight, -work.Length);
        }
    }

    /// <summary>Chooses the next request from what exists so far (under the lock).</summary>
    private Func<Task>[] Plan(GspClient client, Stopwatch clock, TimeSpan due, DateTimeOffset scheduledAt, CancellationToken ct)
    {
        if (options.EchoOnly)
        {
            var echo = Echo();
            return [() => SendAsync(client, echo, clock, due, scheduledAt, replay: false, duplicate: false, ct)];
        }
        var roll = _random.NextDouble();
        if (roll < options.ReplayShare && _sent.Count > 0)
        {
            var earlier = _sent[_random.Next(_sent.Count)];
            return [() => SendAsync(client, earlier with { Body = GspRequests.Refreshed(earlier.Body) }, clock, due, scheduledAt, replay: true, duplicate: false, ct)];
        }

        Sent? next = null;
        var pick = _random.Next(100);
        if (pick < 10) next = Generate(v2: false);
        else if (pick < 17) next = Generate(v2: true);
        else if (pick < 31)
        {
            if (Pay(client, clock, due, scheduledAt, ct) is { } pay) return pay;
        }
        else if (pick < 38) next = CancelNumber();
        else if (pick < 52) next = Refund();
        else if (pick < 56) next = CaptureReservation();
        else if (pick < 60) next = SynchronousRefund();
        else if (pick < 66) next = Reserve();
        else if (pick < 71) next = CancelReservation();
        else if (pick < 75) next = CreateMandate();
        else if (pick < 79) next = CancelMandate();
        else if (pick < 83) next = WalletCapture();
        else if (pick < 92) next = Echo();
        else if (pick < 95 && RacePayAndCancel(client, clock, due, scheduledAt, ct) is { } race) return race;
        else if (pick < 96 && RaceCaptureAndCancel(client, clock, due, scheduledAt, ct) is { } captureRace) return captureRace;
        else if (pick < 97 && RefundBurst(client, clock, due, scheduledAt, ct) is { } burst) return burst;
        else if (pick < 99 && Conflicting() is { } conflicting)
            return [() => SendAsync(client, conflicting, clock, due, scheduledAt, replay: true, duplicate: false, ct)];
        next ??= Generate(v2: _random.Next(2) == 0);

        _sent.Add(next);
        if (_random.NextDouble() < options.DuplicateShare)
        {
            var copy = next with { Body = GspRequests.Refreshed(next.Body) };
            return [
                () => SendAsync(client, next, clock, due, scheduledAt, replay: false, duplicate: false, ct),
                () => SendAsync(client, copy, clock, due, scheduledAt, replay: false, duplicate: true, ct),
            ];
        }
        return [() => SendAsync(client, next, clock, due, scheduledAt, replay: false, duplicate: false, ct)];
    }

    private long Micros() => (_random.Next(100, 5000)) * 10_000L; // 1.00 .. 50.00 in whole cents

    private Sent Generate(bool v2)
    {
        var id = GspRequests.NewId("G");
        var micros = Micros();
        return v2
            ? new Sent("generate2", ProtocolMethods.GenerateReferenceNumberV2.Route, GspRequests.GenerateV2(id, micros), id, micros)
            : new Sent("generate1", ProtocolMethods.GenerateReferenceNumberV1.Route, GspRequests.GenerateV1(id, micros), id, micros);
    }

    private Func<Task>[]? Pay(GspClient client, Stopwatch clock, TimeSpan due, DateTimeOffset scheduledAt, CancellationToken ct)
    {
        var candidates = _numbers.Where(n => n.PayAttempts == 0).ToList();
        if (candidates.Count == 0) return null;
        var number = candidates[_random.Next(Math.Min(candidates.Count, 8))]; // mostly the oldest unpaid ones
        return [PayWork(client, number, clock, due, scheduledAt, ct)];
    }

    private Func<Task> PayWork(GspClient client, Number number, Stopwatch clock, TimeSpan due, DateTimeOffset scheduledAt, CancellationToken ct)
    {
        number.PayAttempts++;
        number.TransactionId ??= "STORE-" + number.GenerateId;
        var transactionId = number.TransactionId;
        return async () =>
        {
            options.BeforePayment?.Invoke(number.Value, number.Micros, number.Currency);
            var (status, body) = await client.PayAsync(number.Piaid, number.Value, transactionId, ct).ConfigureAwait(false);
            Record("pay", "internal/payment", transactionId, number.GenerateId, number.Value, status, body, clock, due, scheduledAt, false, false, number.Micros);
            if (status == 200) lock (_lock) if (!_paid.Contains(number)) _paid.Add(number);
        };
    }

    private Func<Task>[]? RacePayAndCancel(GspClient client, Stopwatch clock, TimeSpan due, DateTimeOffset scheduledAt, CancellationToken ct)
    {
        var candidates = _numbers.Where(n => n.PayAttempts == 0).ToList();
        if (candidates.Count == 0) return null;
        var number = candidates[_random.Next(candidates.Count)];
        var cancel = new Sent("cancelNumber", ProtocolMethods.CancelReferenceNumberV2.Route,
            GspRequests.CancelReferenceNumberV2(number.GenerateId, GspRequests.NewId("C"), number.Piaid), number.GenerateId, 0);
        _sent.Add(cancel);
        return [PayWork(client, number, clock, due, scheduledAt, ct), () => SendAsync(client, cancel, clock, due, scheduledAt, false, false, ct)];
    }

    private Sent? CancelNumber()
    {
        if (_numbers.Count == 0) return null;
        // Mostly unpaid numbers; sometimes a paid one (→ referenceNumberAlreadyPaid).
        var pool = _random.Next(4) == 0 && _paid.Count > 0 ? _paid : _numbers;
        var number = pool[_random.Next(pool.Count)];
        // A v1 number, half the time, through v1 (which names the number itself).
        if (number.Version == 1 && _random.Next(2) == 0)
            return new Sent("cancelNumber1", ProtocolMethods.CancelReferenceNumberV1.Route,
                GspRequests.CancelReferenceNumberV1(number.Value, GspRequests.NewId("C"), number.Piaid), number.GenerateId, 0);
        return new Sent("cancelNumber", ProtocolMethods.CancelReferenceNumberV2.Route,
            GspRequests.CancelReferenceNumberV2(number.GenerateId, GspRequests.NewId("C"), number.Piaid), number.GenerateId, 0);
    }

    private Sent? Refund()
    {
        if (_paid.Count == 0) return null;
        var number = _paid[_paid.Count - 1 - _random.Next(Math.Min(_paid.Count, 30))];
        var kind = _random.Next(10);
        var amount = kind switch
        {
            0 => number.Micros,               // whole amount (exceeds when partial refunds came first)
            1 => number.Micros + 10_000,      // always exceeds the balance
            _ => Math.Max(10_000, number.Micros / _random.Next(3, 8) / 10_000 * 10_000),
        };
        // A v2 payment, half the time, through v2 asynchronousRefund.
        if (number.Version == 2 && _random.Next(2) == 0)
            return new Sent("refund2", ProtocolMethods.AsynchronousRefundV2.Route,
                GspRequests.RefundV2(number.GenerateId, amount, number.Currency, GspRequests.NewId("R"), number.Piaid), number.GenerateId, amount);
        return new Sent("refund", ProtocolMethods.AsynchronousRefundV1.Route,
            GspRequests.RefundV1(number.GenerateId, amount, number.Currency, GspRequests.NewId("R"), number.Piaid), number.GenerateId, amount);
    }

    /// <summary>Three refunds of 40% each on one paid number at once: at most two can fit the balance.</summary>
    private Func<Task>[]? RefundBurst(GspClient client, Stopwatch clock, TimeSpan due, DateTimeOffset scheduledAt, CancellationToken ct)
    {
        if (_paid.Count == 0) return null;
        var number = _paid[_paid.Count - 1 - _random.Next(Math.Min(_paid.Count, 5))];
        var amount = Math.Max(10_000, number.Micros * 4 / 10 / 10_000 * 10_000);
        var sends = new List<Func<Task>>();
        for (var i = 0; i < 3; i++)
        {
            var refund = new Sent("refund", ProtocolMethods.AsynchronousRefundV1.Route,
                GspRequests.RefundV1(number.GenerateId, amount, number.Currency, GspRequests.NewId("B"), number.Piaid), number.GenerateId, amount);
            _sent.Add(refund);
            sends.Add(() => SendAsync(client, refund, clock, due, scheduledAt, replay: false, duplicate: false, ct));
        }
        return [.. sends];
    }

    /// <summary>An earlier refund's requestId with a different amount: must get 412 when the first was answered (one effect per key).</summary>
    private Sent? Conflicting()
    {
        var refunds = _sent.Where(x => x.Kind == "refund").TakeLast(50).ToList();
        if (refunds.Count == 0) return null;
        var earlier = refunds[_random.Next(refunds.Count)];
        var body = GspRequests.Refreshed(earlier.Body);
        var amount = earlier.Amount + 10_000;
        body["refundAmount"]!["amountMicros"] = amount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new Sent("refund", earlier.Route, body, earlier.Target, amount);
    }

    /// <summary>redirect-payment-token captureFundsReservation of a reservation not captured yet: mostly within the
    /// reserved 1,500 INR, sometimes all of it, sometimes above it (refused).</summary>
    private Sent? CaptureReservation(string? reservation = null)
    {
        var open = _reservations.Where(r => !_captureSent.Contains(r)).ToList();
        if (reservation is null && open.Count == 0) return null;
        var target = reservation ?? open[_random.Next(open.Count)];
        _captureSent.Add(target);
        var amount = _random.Next(10) switch { 0 => 1_500_000_000L, 1 => 1_600_000_000L, _ => Micros() * 20 };
        return new Sent("capture", ProtocolMethods.CaptureFundsReservationV1.Route,
            GspRequests.CaptureFundsReservationV1(target, amount, GspRequests.NewId("P")), target, amount);
    }

    /// <summary>A capture and a cancelFundsReservation of one reservation at once: exactly one may win.</summary>
    private Func<Task>[]? RaceCaptureAndCancel(GspClient client, Stopwatch clock, TimeSpan due, DateTimeOffset scheduledAt, CancellationToken ct)
    {
        var open = _reservations.Where(r => !_captureSent.Contains(r)).ToList();
        if (open.Count == 0) return null;
        var target = open[_random.Next(open.Count)];
        var capture = CaptureReservation(target)!;
        var cancel = new Sent("cancelReservation", ProtocolMethods.CancelFundsReservationV1.Route,
            GspRequests.CancelFundsReservationV1(target, GspRequests.NewId("X")), target, 0);
        _sent.Add(capture);
        _sent.Add(cancel);
        return [() => SendAsync(client, capture, clock, due, scheduledAt, false, false, ct), () => SendAsync(client, cancel, clock, due, scheduledAt, false, false, ct)];
    }

    /// <summary>e-wallets capture: with a token (its own transaction), or against a mandate (monthly: the second charge
    /// of a month is declined, a cancelled mandate refuses).</summary>
    private Sent WalletCapture()
    {
        var id = GspRequests.NewId("W");
        var amount = Micros() * 10;
        if (_mandates.Count > 0 && _random.Next(2) == 0)
        {
            var mandate = _mandates[_random.Next(_mandates.Count)];
            return new Sent("walletCapture", ProtocolMethods.CaptureEWalletsV1.Route, GspRequests.CaptureV1(amount, mandateId: mandate, id: id), mandate, amount);
        }
        return new Sent("walletCapture", ProtocolMethods.CaptureEWalletsV1.Route, GspRequests.CaptureV1(amount, id: id), id, amount);
    }

    /// <summary>The synchronous refund of a capture, in the capture's family: partial, whole, or above what is left.</summary>
    private Sent? SynchronousRefund()
    {
        if (_captures.Count == 0) return null;
        var capture = _captures[_captures.Count - 1 - _random.Next(Math.Min(_captures.Count, 30))];
        var amount = _random.Next(10) switch
        {
            0 => capture.Micros,
            1 => capture.Micros + 10_000,
            _ => Math.Max(10_000, capture.Micros / _random.Next(3, 8) / 10_000 * 10_000),
        };
        return new Sent("syncRefund", capture.Refund.Route,
            GspRequests.RefundSyncV1(capture.RequestId, amount, "INR", GspRequests.NewId("Y"), capture.Piaid), capture.RequestId, amount);
    }

    private Sent Reserve()
    {
        var id = GspRequests.NewId("F");
        return new Sent("reserve", ProtocolMethods.ReserveFundsV1.Route, GspRequests.ReserveFundsV1(id), id, 1_500_000_000);
    }

    private Sent? CancelReservation()
    {
        if (_reservations.Count == 0) return null;
        var target = _reservations[_random.Next(_reservations.Count)];
        return new Sent("cancelReservation", ProtocolMethods.CancelFundsReservationV1.Route,
            GspRequests.CancelFundsReservationV1(target, GspRequests.NewId("X")), target, 0);
    }

    private Sent CreateMandate()
    {
        var mandate = "M-" + Guid.NewGuid().ToString("N")[..16];
        return new Sent("createMandate", ProtocolMethods.CreateMandateV1.Route, GspRequests.CreateMandateV1(mandate, GspRequests.NewId("M")), mandate, 0);
    }

    private Sent? CancelMandate()
    {
        if (_mandates.Count == 0) return null;
        var target = _mandates[_random.Next(_mandates.Count)];
        return new Sent("cancelMandate", ProtocolMethods.CancelMandateV1.Route, GspRequests.CancelMandateV1(target, GspRequests.NewId("K")), target, 0);
    }

    private Sent Echo()
    {
        var id = GspRequests.NewId("E");
        return _random.Next(4) switch
        {
            0 => new Sent("echo", ProtocolMethods.EchoRorpcV2.Route, GspRequests.EchoV2(id: id), null, 0),
            1 => new Sent("echo", ProtocolMethods.EchoRorpcV1.Route, GspRequests.EchoV1(id), null, 0),
            2 => new Sent("echo", ProtocolMethods.EchoRedirectV1.Route, GspRequests.EchoV1(id), null, 0),
            _ => new Sent("echo", ProtocolMethods.EchoEWalletsV1.Route, GspRequests.EchoV1(id), null, 0),
        };
    }

    private async Task SendAsync(GspClient client, Sent sent, Stopwatch clock, TimeSpan due, DateTimeOffset scheduledAt, bool replay, bool duplicate, CancellationToken ct)
    {
        var json = sent.Body.ToJsonString();
        var (status, body) = await client.PostAsync(sent.Route, json, ct).ConfigureAwait(false);
        Record(sent.Kind, sent.Route, GspRequests.RequestId(sent.Body), sent.Target, json, status, body, clock, due, scheduledAt, replay, duplicate, sent.Amount);
        if (status != 200) return;
        lock (_lock)
        {
            switch (sent.Kind)
            {
                case "generate1" or "generate2" when !replay && !duplicate:
                    if (GspRequests.ReferenceNumberOf(JsonNode.Parse(body)) is { } value)
                    {
                        var currency = sent.Kind == "generate1" ? sent.Body["currencyCode"]!.GetValue<string>() : sent.Body["amount"]!["currencyCode"]!.GetValue<string>();
                        _numbers.Add(new Number(sent.Target!, GspRequests.Usd, currency, sent.Amount, value, sent.Kind == "generate1" ? 1 : 2));
                    }
                    break;
                case "reserve" when !replay && !duplicate:
                    _reservations.Add(sent.Target!);
                    break;
                case "createMandate" when !replay && !duplicate:
                    _mandates.Add(sent.Target!);
                    break;
                case "capture" or "walletCapture" when !replay && !duplicate && IsSuccess(body):
                    _captures.Add(sent.Kind == "capture"
                        ? new Capture(GspRequests.RequestId(sent.Body), GspRequests.Inr, sent.Amount, ProtocolMethods.RefundRedirectV1)
                        : new Capture(GspRequests.RequestId(sent.Body), GspRequests.InrWallet, sent.Amount, ProtocolMethods.RefundEWalletsV1));
                    break;
            }
        }
    }

    private static bool IsSuccess(string body) => JsonNode.Parse(body)?["result"] is JsonValue result && result.TryGetValue<string>(out var code) && code == "SUCCESS";

    private void Record(string kind, string route, string requestId, string? target, string body, int status, string response,
        Stopwatch clock, TimeSpan due, DateTimeOffset scheduledAt, bool replay, bool duplicate, long amount)
    {
        var latency = (clock.Elapsed - due).TotalMilliseconds;
        _records.Enqueue(new RequestRecord(Interlocked.Increment(ref _sequence), kind, route, requestId, target, body, status, response,
            latency, scheduledAt, replay, duplicate, amount, scheduledAt < _measuredFrom));
    }
}
