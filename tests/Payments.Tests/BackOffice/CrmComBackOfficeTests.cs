using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Payments.Core.BackOffice;
using Payments.Core.Hosting;
using Payments.StandIns.CrmCom;
using Microsoft.Extensions.Logging.Testing;
using Payments.Tests.TestSupport;

namespace Payments.Tests.BackOffice;

/// <summary>The CRM.COM adapter against the CRM.COM stand-in over HTTP.</summary>
[Trait("Category", Category.Unit)]
public sealed class CrmComBackOfficeTests : IAsyncLifetime
{
    private CrmComStandIn _crm = null!;
    private readonly ILoggerFactory _logs;

    public CrmComBackOfficeTests() => _logs = LogRecords.Factory(out _);

    public async Task InitializeAsync() => _crm = await CrmComStandIn.StartAsync();

    public async Task DisposeAsync()
    {
        await _crm.DisposeAsync();
        _logs.Dispose();
    }

    private CrmComOptions Options(CrmComStandIn crm, TimeSpan? timeout = null, string? password = null) => new()
    {
        BaseUrl = crm.BaseUrl,
        Username = crm.Options.Username,
        Password = password ?? crm.Options.Password,
        Organisation = crm.Options.Organisation,
        PaymentCancellationType = crm.Options.PaymentCancellationType,
        RefundType = crm.Options.RefundType,
        Timeout = timeout ?? TimeSpan.FromSeconds(10),
    };

    private CrmComBackOffice Adapter(CrmComStandIn? crm = null, TimeSpan? timeout = null, CrmComSession? session = null, string? password = null)
        => new(new HttpClient(), Options(crm ?? _crm, timeout, password), session ?? new CrmComSession(), TimeProvider.System, _logs.CreateLogger<CrmComBackOffice>());

    private static RefundBooking Whole(string reference, string code) =>
        new(code, "InvisiCashUSA_USD", reference, 50_000_000, "USD", WholeRemaining: true, Reason: $"Google asynchronousRefund {code}");

    private static RefundBooking Partial(string reference, string code, long micros) =>
        new(code, "InvisiCashUSA_USD", reference, micros, "USD", WholeRemaining: false, Reason: $"Google asynchronousRefund {code}");

    private static string NewRef() => "RN" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task Whole_refund_cancels_the_posted_payment_once()
    {
        var reference = NewRef();
        _crm.AddPostedPayment(reference, 50m);
        var adapter = Adapter();

        var outcome = await adapter.BookRefundAsync(Whole(reference, "bo-whole-1"), default);

        var booked = Assert.IsType<BookingOutcome.Booked>(outcome);
        Assert.StartsWith("crmcom:payment_cancellation:", booked.BookingId);
        Assert.Equal("CANCELLED", _crm.GetPayment(reference)!.LifeCycleState);
        var booking = Assert.Single(_crm.Bookings);
        Assert.Equal("payment_cancellation", booking.Kind);
        Assert.Equal("bo-whole-1", booking.BackOfficeCode);
        Assert.Equal("Google asynchronousRefund bo-whole-1", booking.IssueReason);

        // The same booking again (a redelivered queue message): same result, no second booking.
        var again = await adapter.BookRefundAsync(Whole(reference, "bo-whole-1"), default);
        Assert.Equal(booked.BookingId, Assert.IsType<BookingOutcome.Booked>(again).BookingId);
        Assert.Equal(1, _crm.BookingCount("bo-whole-1"));
        Assert.Equal(1, _crm.BookingsForPayment(reference));
    }

    [Fact]
    public async Task Partial_refund_books_a_refund_with_the_exact_amount()
    {
        var reference = NewRef();
        _crm.AddPostedPayment(reference, 50m);
        var adapter = Adapter();

        var outcome = await adapter.BookRefundAsync(Partial(reference, "bo-part-1", 12_345_678), default);
        var outcome2 = await adapter.BookRefundAsync(Partial(reference, "bo-part-2", 1), default);

        Assert.StartsWith("crmcom:refund:", Assert.IsType<BookingOutcome.Booked>(outcome).BookingId);
        Assert.IsType<BookingOutcome.Booked>(outcome2);
        Assert.Equal(12.345678m, _crm.Bookings.Single(b => b.BackOfficeCode == "bo-part-1").Amount);
        Assert.Equal(0.000001m, _crm.Bookings.Single(b => b.BackOfficeCode == "bo-part-2").Amount);
        Assert.Equal(12.345679m, _crm.GetPayment(reference)!.Refunded);
        Assert.Equal("POSTED", _crm.GetPayment(reference)!.LifeCycleState);
        Assert.Equal(1, _crm.LoginCount);
    }

    [Fact]
    public async Task Expired_opaque_token_mid_run_is_replaced_transparently()
    {
        await using var crm = await CrmComStandIn.StartAsync(new CrmComStandInOptions { JwtTokens = false, TokenLifetime = TimeSpan.FromSeconds(2) });
        var adapter = Adapter(crm);
        var first = NewRef();
        var second = NewRef();
        crm.AddPostedPayment(first, 10m);
        crm.AddPostedPayment(second, 10m);

        Assert.IsType<BookingOutcome.Booked>(await adapter.BookRefundAsync(Whole(first, "bo-exp-1"), default));
        await Task.Delay(TimeSpan.FromSeconds(2.3));
        Assert.IsType<BookingOutcome.Booked>(await adapter.BookRefundAsync(Whole(second, "bo-exp-2"), default));

        Assert.Equal(2, crm.LoginCount);
        Assert.Contains(crm.Requests, r => r.StatusCode == CrmComCodes.ExpiredToken);
        Assert.Equal(2, crm.Bookings.Count);
    }

    [Fact]
    public async Task Jwt_token_is_refreshed_before_its_exp()
    {
        await using var crm = await CrmComStandIn.StartAsync(new CrmComStandInOptions { JwtTokens = true, TokenLifetime = TimeSpan.FromSeconds(2) });
        var adapter = Adapter(crm);
        var first = NewRef();
        var second = NewRef();
        crm.AddPostedPayment(first, 10m);
        crm.AddPostedPayment(second, 10m);

        Assert.IsType<BookingOutcome.Booked>(await adapter.BookRefundAsync(Whole(first, "bo-jwt-1"), default));
        await Task.Delay(TimeSpan.FromSeconds(2.1));
        Assert.IsType<BookingOutcome.Booked>(await adapter.BookRefundAsync(Whole(second, "bo-jwt-2"), default));

        Assert.Equal(2, crm.LoginCount);
        Assert.DoesNotContain(crm.Requests, r => r.StatusCode is CrmComCodes.ExpiredToken or CrmComCodes.InvalidToken);
    }

    [Fact]
    public async Task Authentication_failure_causes_exactly_one_relogin()
    {
        var session = new CrmComSession();
        var adapter = Adapter(session: session);
        var first = NewRef();
        var second = NewRef();
        _crm.AddPostedPayment(first, 10m);
        _crm.AddPostedPayment(second, 10m);
        Assert.IsType<BookingOutcome.Booked>(await adapter.BookRefundAsync(Whole(first, "bo-auth-1"), default));
        Assert.Equal(1, _crm.LoginCount);

        _crm.RevokeAllTokens();
        Assert.IsType<BookingOutcome.Booked>(await adapter.BookRefundAsync(Whole(second, "bo-auth-2"), default));

        Assert.Equal(2, _crm.LoginCount);
        Assert.Equal(2, session.LoginCount);
        Assert.Single(_crm.Requests, r => r.StatusCode == CrmComCodes.InvalidToken);
        Assert.Equal(1, _crm.BookingCount("bo-auth-2"));
    }

    [Fact]
    public async Task Concurrent_bookings_share_one_login()
    {
        var session = new CrmComSession();
        var refs = Enumerable.Range(0, 12).Select(_ => NewRef()).ToList();
        foreach (var r in refs) _crm.AddPostedPayment(r, 10m);

        var outcomes = await Task.WhenAll(refs.Select((r, i) => Adapter(session: session).BookRefundAsync(Partial(r, $"bo-conc-{i}", 1_000_000), default)));

        Assert.All(outcomes, o => Assert.IsType<BookingOutcome.Booked>(o));
        Assert.Equal(1, _crm.LoginCount);
        Assert.Equal(12, _crm.Bookings.Count);
    }

    [Fact]
    public async Task Same_booking_delivered_concurrently_is_booked_once()
    {
        var reference = NewRef();
        _crm.AddPostedPayment(reference, 10m);
        var session = new CrmComSession();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Adapter(session: session).BookRefundAsync(Whole(reference, "bo-dup"), default)));

        Assert.All(outcomes, o => Assert.IsType<BookingOutcome.Booked>(o));
        Assert.Single(outcomes.Select(o => ((BookingOutcome.Booked)o).BookingId).Distinct());
        Assert.Equal(1, _crm.BookingsForPayment(reference));
    }

    [Fact]
    public async Task Answer_slower_than_the_timeout_is_found_by_the_lookup_and_not_booked_again()
    {
        var reference = NewRef();
        _crm.AddPostedPayment(reference, 10m);
        _crm.Faults.SlowDelay = TimeSpan.FromSeconds(8);
        _crm.Faults.FailNextBookings(CrmComFault.SlowAfterBooking);
        var adapter = Adapter(timeout: TimeSpan.FromSeconds(1.5));

        var outcome = await adapter.BookRefundAsync(Partial(reference, "bo-slow", 2_500_000), default);

        Assert.IsType<BookingOutcome.Booked>(outcome);
        Assert.Equal(1, _crm.BookingRequests("bo-slow"));
        Assert.Equal(1, _crm.BookingCount("bo-slow"));
        Assert.Contains(_crm.Requests, r => r.Path.EndsWith("refunds/show", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(CrmComFault.DropAfterBooking)]
    [InlineData(CrmComFault.Http500AfterBooking)]
    [InlineData(CrmComFault.GarbageAfterBooking)]
    public async Task Unclear_answer_after_the_booking_leads_to_one_booking(CrmComFault fault)
    {
        var reference = NewRef();
        _crm.AddPostedPayment(reference, 10m);
        _crm.Faults.FailNextBookings(fault);

        var outcome = await Adapter().BookRefundAsync(Whole(reference, "bo-unclear"), default);

        Assert.IsType<BookingOutcome.Booked>(outcome);
        Assert.Equal(1, _crm.BookingRequests("bo-unclear"));
        Assert.Equal(1, _crm.BookingsForPayment(reference));
        Assert.Contains(_crm.Requests, r => r.Path.EndsWith("payment_cancellations/show", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(CrmComFault.Http500BeforeBooking)]
    [InlineData(CrmComFault.TechnicalErrorBeforeBooking)]
    [InlineData(CrmComFault.DropBeforeBooking)]
    public async Task Failure_before_the_booking_is_looked_up_then_booked_once(CrmComFault fault)
    {
        var reference = NewRef();
        _crm.AddPostedPayment(reference, 10m);
        _crm.Faults.FailNextBookings(fault);

        var outcome = await Adapter().BookRefundAsync(Partial(reference, "bo-before", 1_000_000), default);

        Assert.IsType<BookingOutcome.Booked>(outcome);
        Assert.Equal(2, _crm.BookingRequests("bo-before"));
        Assert.Equal(1, _crm.BookingCount("bo-before"));
    }

    [Fact]
    public async Task Random_faults_of_every_kind_never_lead_to_a_second_booking()
    {
        _crm.Faults.SlowDelay = TimeSpan.FromSeconds(3);
        _crm.Faults.FailRandomBookings(0.5, seed: 11,
            CrmComFault.Http500BeforeBooking, CrmComFault.TechnicalErrorBeforeBooking, CrmComFault.DropBeforeBooking,
            CrmComFault.Http500AfterBooking, CrmComFault.DropAfterBooking, CrmComFault.SlowAfterBooking, CrmComFault.GarbageAfterBooking);
        var session = new CrmComSession();
        var refs = Enumerable.Range(0, 16).Select(_ => NewRef()).ToList();
        foreach (var r in refs) _crm.AddPostedPayment(r, 10m);

        async Task<BookingOutcome> UntilDone(RefundBooking booking)
        {
            for (var delivery = 1; ; delivery++) // the queue's redeliveries
            {
                try { return await Adapter(timeout: TimeSpan.FromSeconds(1), session: session).BookRefundAsync(booking, default); }
                catch (BackOfficeFaultException) when (delivery < 20) { }
            }
        }
        var outcomes = await Task.WhenAll(refs.Select((r, i) => UntilDone(i % 2 == 0 ? Whole(r, $"bo-rand-{i}") : Partial(r, $"bo-rand-{i}", 3_000_000))));

        Assert.All(outcomes, o => Assert.IsType<BookingOutcome.Booked>(o));
        Assert.All(refs, r => Assert.Equal(1, _crm.BookingsForPayment(r)));
        Assert.Contains(_crm.Requests, r => r.Fault is CrmComFault.DropAfterBooking or CrmComFault.SlowAfterBooking or CrmComFault.Http500AfterBooking);
    }

    [Fact]
    public async Task Persistent_fault_throws_BackOfficeFaultException_and_books_nothing()
    {
        var reference = NewRef();
        _crm.AddPostedPayment(reference, 10m);
        _crm.Faults.FailNextBookings(CrmComFault.Http500BeforeBooking, 2);

        var ex = await Assert.ThrowsAsync<BackOfficeFaultException>(() => Adapter().BookRefundAsync(Whole(reference, "bo-fault"), default));

        Assert.Contains("INTERNAL_ERROR", ex.Message);
        Assert.Contains("bo-fault", ex.Message);
        Assert.Equal(0, _crm.BookingCount("bo-fault"));
    }

    [Fact]
    public async Task A_fault_says_whether_CRM_COM_is_down_for_everyone_or_refuses_this_booking_alone()
    {
        var reference = NewRef();
        _crm.AddPostedPayment(reference, 10m);
        _crm.Faults.FailNextBookings(CrmComFault.Http500BeforeBooking, 2);
        Assert.True((await Assert.ThrowsAsync<BackOfficeFaultException>(() => Adapter().BookRefundAsync(Whole(reference, "bo-5xx"), default))).Unavailable);

        _crm.Faults.Down = true;
        try
        {
            Assert.True((await Assert.ThrowsAsync<BackOfficeFaultException>(() => Adapter().BookRefundAsync(Whole(reference, "bo-down"), default))).Unavailable);
        }
        finally
        {
            _crm.Faults.Down = false;
        }

        // An error code the adapter does not know, answered to this booking only: a fault of this booking.
        _crm.Faults.RefuseReference(reference, "INVALID_REFUND_RECORD");
        Assert.False((await Assert.ThrowsAsync<BackOfficeFaultException>(() => Adapter().BookRefundAsync(Whole(reference, "bo-refused"), default))).Unavailable);
    }

    [Fact]
    public async Task Failed_lookup_after_an_unclear_answer_throws_and_the_retry_does_not_book_twice()
    {
        var reference = NewRef();
        _crm.AddPostedPayment(reference, 10m);
        _crm.Faults.FailNextBookings(CrmComFault.DropAfterBooking);
        _crm.Faults.FailNextLookUps(CrmComFault.Http500BeforeBooking);
        var adapter = Adapter();

        await Assert.ThrowsAsync<BackOfficeFaultException>(() => adapter.BookRefundAsync(Whole(reference, "bo-lookup-fail"), default));
        Assert.Equal(1, _crm.BookingCount("bo-lookup-fail"));

        // The caller retries (queue redelivery): the duplicate code is recognised, nothing is booked again.
        var outcome = await adapter.BookRefundAsync(Whole(reference, "bo-lookup-fail"), default);
        Assert.IsType<BookingOutcome.Booked>(outcome);
        Assert.Equal(1, _crm.BookingsForPayment(reference));
    }

    [Theory]
    [InlineData(CrmComCodes.AccountClosed, "ACCOUNT_CLOSED")]
    [InlineData("ACCOUNT_ON_HOLD", "ACCOUNT_ON_HOLD")]
    [InlineData("com.crm.exceptions.AccountClosedFraudException", "ACCOUNT_CLOSED_FRAUD")]
    public async Task Business_refusal_is_declined_with_the_mapped_code(string crmCode, string refundResult)
    {
        var reference = NewRef();
        _crm.AddPostedPayment(reference, 10m);
        _crm.Faults.RefuseReference(reference, crmCode, "Account state does not allow it");

        var outcome = await Adapter().BookRefundAsync(Whole(reference, "bo-refused-" + refundResult), default);

        var declined = Assert.IsType<BookingOutcome.Declined>(outcome);
        Assert.Equal(refundResult, declined.RefundResult);
        Assert.Equal("bo-refused-" + refundResult, declined.BackOfficeCode);
        Assert.Equal($"CRM.COM {crmCode}: Account state does not allow it", declined.Message);
        Assert.Equal(0, _crm.BookingsForPayment(reference));
    }

    [Fact]
    public async Task Unknown_payment_and_excess_amount_are_declined_no_money_left()
    {
        var adapter = Adapter();
        var missing = await adapter.BookRefundAsync(Whole("RN-does-not-exist", "bo-missing"), default);
        Assert.Equal("NO_MONEY_LEFT_ON_TRANSACTION", Assert.IsType<BookingOutcome.Declined>(missing).RefundResult);
        Assert.Contains("PAYMENT_NOT_FOUND", ((BookingOutcome.Declined)missing).Message);

        var reference = NewRef();
        _crm.AddPostedPayment(reference, 1m);
        var excess = await adapter.BookRefundAsync(Partial(reference, "bo-excess", 1_000_001), default);
        Assert.Equal("NO_MONEY_LEFT_ON_TRANSACTION", Assert.IsType<BookingOutcome.Declined>(excess).RefundResult);
        Assert.Contains("REFUND_AMOUNT_EXCEEDS_PAYMENT", ((BookingOutcome.Declined)excess).Message);

        var cancelled = NewRef();
        _crm.AddPostedPayment(cancelled, 1m, lifeCycleState: "CANCELLED");
        var already = await adapter.BookRefundAsync(Whole(cancelled, "bo-already"), default);
        Assert.Equal("NO_MONEY_LEFT_ON_TRANSACTION", Assert.IsType<BookingOutcome.Declined>(already).RefundResult);
    }

    [Fact]
    public async Task Wrong_password_is_a_fault_without_the_password_in_the_message()
    {
        var reference = NewRef();
        _crm.AddPostedPayment(reference, 1m);
        var ex = await Assert.ThrowsAsync<BackOfficeFaultException>(
            () => Adapter(password: "wrong-secret-pw-123").BookRefundAsync(Whole(reference, "bo-badpw"), default));
        Assert.Contains("INVALID_CREDENTIALS", ex.Message);
        Assert.DoesNotContain("wrong-secret-pw-123", ex.ToString());
        Assert.Equal(1, _crm.FailedLoginCount);
        Assert.Equal(0, _crm.BookingRequests("bo-badpw"));
    }

    [Fact]
    public async Task No_password_or_token_appears_in_any_log_line_or_exception()
    {
        await using var crm = await CrmComStandIn.StartAsync(new CrmComStandInOptions { JwtTokens = false, TokenLifetime = TimeSpan.FromSeconds(1) });
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["BackOffice:Provider"] = "CrmCom",
            ["BackOffice:CrmCom:BaseUrl"] = crm.BaseUrl.ToString(),
            ["BackOffice:CrmCom:Username"] = crm.Options.Username,
            ["BackOffice:CrmCom:Password"] = crm.Options.Password,
            ["BackOffice:CrmCom:Organisation"] = crm.Options.Organisation,
            ["BackOffice:CrmCom:PaymentCancellationType"] = crm.Options.PaymentCancellationType,
            ["BackOffice:CrmCom:RefundType"] = crm.Options.RefundType,
        }).Build();
        var captured = new FakeLoggerProvider();
        var services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(captured))
            .AddSingleton<IConfiguration>(configuration)
            .AddBackOffice();
        await using var provider = services.BuildServiceProvider();
        var exceptions = new List<Exception>();

        async Task Run(RefundBooking booking)
        {
            try { await provider.GetRequiredService<IBackOffice>().BookRefundAsync(booking, default); }
            catch (BackOfficeFaultException ex) { exceptions.Add(ex); }
        }

        var refs = Enumerable.Range(0, 6).Select(_ => NewRef()).ToList();
        foreach (var r in refs) crm.AddPostedPayment(r, 10m);
        crm.Faults.RefuseReference(refs[5], CrmComCodes.AccountClosed);
        await Run(Whole(refs[0], "bo-log-0"));
        crm.Faults.FailNextBookings(CrmComFault.DropAfterBooking);
        await Run(Partial(refs[1], "bo-log-1", 1_000_000));
        await Task.Delay(TimeSpan.FromSeconds(1.2)); // token expires → EXPIRED_TOKEN → re-login
        crm.Faults.FailNextBookings(CrmComFault.Http500BeforeBooking, 2);
        await Run(Whole(refs[2], "bo-log-2"));
        crm.RevokeAllTokens();
        crm.Faults.FailNextBookings(CrmComFault.GarbageAfterBooking);
        await Run(Whole(refs[3], "bo-log-3"));
        crm.Faults.FailNextBookings(CrmComFault.DropAfterBooking);
        crm.Faults.FailNextLookUps(CrmComFault.DropBeforeBooking);
        await Run(Whole(refs[4], "bo-log-4"));
        await Run(Whole(refs[5], "bo-log-5"));

        Assert.True(crm.LoginCount >= 3, $"logins: {crm.LoginCount}");
        Assert.NotEmpty(exceptions);
        var secrets = crm.IssuedTokens.Append(crm.Options.Password).ToList();
        var texts = captured.Collector.GetSnapshot().Select(r => r.FullText()).Concat(exceptions.Select(e => e.ToString())).ToList();
        Assert.True(texts.Count > 10, "expected logs to be captured");
        Assert.Contains(texts, t => t.Contains("bo-log-4", StringComparison.Ordinal)); // logs carry the back_office_code
        foreach (var secret in secrets)
            Assert.DoesNotContain(texts, t => t.Contains(secret, StringComparison.Ordinal));
    }
}
