using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;
using Payments.Core.Storage;
using Payments.Core.Transactions;
using Payments.StandIns.Google;
using Payments.Tests.EndToEnd;
using Payments.StandIns.Gsp;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Adversarial;

/// <summary>The internal routes at their extremes, replays in the other accepted form, requeue races, a
/// client that stops sending, a commit storage refuses, and keys given where a caller may give them.</summary>
[Collection(AdversarialCollection.Name)]
[Trait("Category", Category.EndToEnd)]
public sealed class HostileCallerTests(AdversarialHost fixture)
{
    private LocalHostUnderTest Host => fixture.Host;

    /// <summary>Path segments and body fields of the internal routes, at their extremes.</summary>
    private static readonly string[] HostileIds =
    [
        "", "A\0B", "a\nb", "a\u0001b", "a\u2028b", "\u007f", new string('i', 101), new string('i', 4097), "é中🙂", "..", "a b", "a%2Fb", "'or''='",
    ];

    [Fact]
    public async Task Internal_routes_refuse_hostile_identifiers_and_values_without_5xx_and_never_store_a_control_character()
    {
        var statuses = new ConcurrentBag<string>();
        void Check(int status, string what, string body, params int[] allowed)
        {
            if (status >= 500 || allowed.Length > 0 && !allowed.Contains(status)) statuses.Add($"{status} {what}: {body[..Math.Min(body.Length, 200)]}");
        }

        foreach (var id in HostileIds)
        {
            var segment = Uri.EscapeDataString(id);
            var (s1, b1) = await Host.InternalAsync(HttpMethod.Get, $"/internal/operations/{GspRequests.Usd}/{segment}");
            Check(s1, "GET operation requestId=" + Visible(id), b1, 400, 404, 405);
            var (s2, b2) = await Host.InternalAsync(HttpMethod.Post, $"/internal/operations/{segment}/{GspRequests.NewId()}/requeue", "");
            Check(s2, "requeue piaid=" + Visible(id), b2, 400, 404, 405);
            var (s3, b3) = await Host.InternalAsync(HttpMethod.Post, $"/internal/operations/{GspRequests.Usd}/{segment}/requeue", "");
            Check(s3, "requeue requestId=" + Visible(id), b3, 400, 404, 405);
            var (s4, b4) = await Host.PayAsync(GspRequests.Usd, id.Length == 0 ? "x" : id);
            Check(s4, "payment referenceNumber=" + Visible(id), b4?.ToJsonString() ?? "", 400, 404, 405);
        }

        // The payment report's fields, each at every extreme, against a number that is payable.
        var number = await UnpaidNumberAsync();
        JsonObject Report() => new()
        {
            ["paymentIntegratorAccountId"] = GspRequests.Usd,
            ["paymentIntegratorTransactionId"] = "STORE-" + GspRequests.NewId(),
            ["paidAtEpochMillis"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        };
        JsonNode?[] values =
        [
            long.MinValue, long.MaxValue, (1L << 53) + 1, -1, 0, "9223372036854775808", DateTimeOffset.MaxValue.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            null, true, new JsonObject(), new JsonArray(), "", new string('t', 40_000), .. HostileIds.Select(i => (JsonNode?)JsonValue.Create(i)),
        ];
        foreach (var field in new[] { "paymentIntegratorAccountId", "paymentIntegratorTransactionId", "paidAtEpochMillis" })
        {
            foreach (var value in values)
            {
                var report = Report();
                report[field] = value?.DeepClone();
                var (status, body) = await Host.InternalAsync(HttpMethod.Post, $"/internal/reference-numbers/{number}/payment", report.ToJsonString());
                Check(status, $"payment {field}={Visible(value?.ToJsonString() ?? "null")}", body, 200, 400, 404, 409);
            }
        }
        // Bodies JsonNode cannot build: a lone surrogate escape, nesting past any reader's depth, a huge array, no object.
        var deep = string.Concat(Enumerable.Repeat("{\"d\":", 200)) + "1" + new string('}', 200);
        foreach (var raw in new[]
        {
            $"{{\"paymentIntegratorAccountId\":\"{GspRequests.Usd}\",\"paymentIntegratorTransactionId\":\"a\\ud800b\",\"paidAtEpochMillis\":\"1\"}}",
            $"{{\"paymentIntegratorAccountId\":\"{GspRequests.Usd}\",\"paymentIntegratorTransactionId\":\"T1\",\"paidAtEpochMillis\":1e400}}",
            $"{{\"paymentIntegratorAccountId\":\"{GspRequests.Usd}\",\"x\":{deep}}}",
            "[" + string.Join(",", Enumerable.Repeat("0", 100_000)) + "]",
            "null", "\"text\"", "", "{",
        })
        {
            var (status, body) = await Host.InternalAsync(HttpMethod.Post, $"/internal/reference-numbers/{number}/payment", raw);
            Check(status, "payment body " + Visible(raw), body, 400);
        }
        Assert.True(statuses.IsEmpty, string.Join("\n", statuses));

        // A control character in the store's transaction id is refused, not stored and echoed.
        var fresh = await UnpaidNumberAsync();
        var (nul, nulBody) = await Host.PayAsync(GspRequests.Usd, fresh, "STORE\0-1\r\nINJECTED");
        Assert.True(nul == 400, nulBody?.ToJsonString());
        var (ok, okBody) = await Host.PayAsync(GspRequests.Usd, fresh, "STORE-1");
        Assert.True(ok == 200, okBody?.ToJsonString());
    }

    private async Task<string> UnpaidNumberAsync()
    {
        var (status, body, raw) = await Host.CallAsync(ProtocolMethods.GenerateReferenceNumberV1, GspRequests.GenerateV1());
        Assert.True(status == 200, raw);
        return body!["displayableReferenceNumber"]!["barcodeWithPrintableString"]!["printableString"]!.GetValue<string>();
    }

    private static string Visible(string s) => new(s.Select(c => char.IsControl(c) ? '¿' : c).Take(40).ToArray());

    /// <summary>Each pair: the first call, then its replay in another form the request type accepts for the
    /// same values (an int64 as a number, with leading zeros; a date as a bare string; a null field).</summary>
    public static TheoryData<string> Replays => new() { "generateV1", "generateV2", "refund", "reserveFunds", "createMandate" };

    [Theory]
    [MemberData(nameof(Replays))]
    public async Task A_replay_that_means_the_same_in_another_accepted_form_gets_the_same_answer(string kind)
    {
        var id = GspRequests.NewId("R");
        var (method, first, replay) = kind switch
        {
            "generateV1" => (ProtocolMethods.GenerateReferenceNumberV1, Edit(GspRequests.GenerateV1(id), b => b.Remove("userInfo")), Edit(GspRequests.GenerateV1(id), b => { b["amount"] = 2_000_000; b["userInfo"] = null; })),
            "generateV2" => (ProtocolMethods.GenerateReferenceNumberV2, GspRequests.GenerateV2(id), Edit(GspRequests.GenerateV2(id), b => b["amount"]!["amountMicros"] = "0728000000")),
            "refund" => (ProtocolMethods.AsynchronousRefundV1, GspRequests.RefundV1(fixture.PaidGenerateId, 3, id: id), Edit(GspRequests.RefundV1(fixture.PaidGenerateId, 3, id: id), b => b["refundAmount"]!["amountMicros"] = 3)),
            "reserveFunds" => (ProtocolMethods.ReserveFundsV1, GspRequests.ReserveFundsV1(id), Edit(GspRequests.ReserveFundsV1(id), b => b["amount"] = 1_500_000_000)),
            _ => CreateMandatePair(id),
        };
        var (status, body, raw) = await Host.CallAsync(method, first);
        Assert.True(status == 200, raw);
        var (again, againBody, againRaw) = await Host.CallAsync(method, replay);
        Assert.True(again == 200, againRaw);
        Assert.Equal(Calls.WithoutHeader(body!), Calls.WithoutHeader(againBody!));
        // A body that means something else is still a reuse of the requestId.
        var different = replay.DeepClone().AsObject();
        different["requestHeader"]!["requestTimestamp"] = method.Style == HeaderStyle.V1 ? GspRequests.Now() : new JsonObject { ["epochMillis"] = GspRequests.Now() };
        Touch(different);
        Assert.Equal(412, (await Host.CallAsync(method, different)).Status);
    }

    private static (ProtocolMethod, JsonObject, JsonObject) CreateMandatePair(string id)
    {
        var mandateId = GspRequests.NewId("MD");
        var first = GspRequests.CreateMandateV1(mandateId, id);
        var replay = first.DeepClone().AsObject();
        replay["startDate"] = first["startDate"]!["epochMillis"]!.GetValue<string>();
        replay["endDate"] = new JsonObject { ["epochMillis"] = long.Parse(first["endDate"]!["epochMillis"]!.GetValue<string>(), CultureInfo.InvariantCulture) };
        replay["maximumAmount"]!["amountMicros"] = 728_000_000;
        replay["requestHeader"]!["requestTimestamp"] = GspRequests.Now();
        return (ProtocolMethods.CreateMandateV1, first, replay);
    }

    private static JsonObject Edit(JsonObject body, Action<JsonObject> edit)
    {
        edit(body);
        return body;
    }

    /// <summary>Changes what the body means, in a field every mutating request has.</summary>
    private static void Touch(JsonObject body)
    {
        if (body["amount"] is JsonObject a) a["amountMicros"] = "1234567";
        else if (body["amount"] is not null) body["amount"] = "1234567";
        else if (body["refundAmount"] is JsonObject r) r["amountMicros"] = "2";
        else body["mandateName"] = "another name";
    }

    /// <summary>Google's retry under a later minor version (it may raise minor and revision without notice),
    /// with the major alone, or with a field we do not know given as null: the same body (docs/protocol.md §5).</summary>
    public static TheoryData<string> LaterForms => new() { "refund 1.1.0", "refund 1.0.3", "refund major-only", "refund unknown-null", "generateV2 2.1.0", "generateV2 unknown-null" };

    [Theory]
    [MemberData(nameof(LaterForms))]
    public async Task A_retry_under_a_later_minor_version_or_with_an_unknown_field_as_null_gets_the_stored_answer(string form)
    {
        var id = GspRequests.NewId("R");
        var v2 = form.StartsWith("generateV2", StringComparison.Ordinal);
        var (method, first) = v2 ? (ProtocolMethods.GenerateReferenceNumberV2, GspRequests.GenerateV2(id)) : (ProtocolMethods.AsynchronousRefundV1, GspRequests.RefundV1(fixture.PaidGenerateId, 4, id: id));
        var (status, body, raw) = await Host.CallAsync(method, first);
        Assert.True(status == 200, raw);

        var retry = Retry(first, v2);
        var header = retry["requestHeader"]!.AsObject();
        var version = header["protocolVersion"]!.AsObject();
        switch (form.Split(' ')[1])
        {
            case "1.1.0" or "2.1.0": version["minor"] = 1; break;
            case "1.0.3": version["revision"] = 3; break;
            case "major-only": version.Remove("minor"); version.Remove("revision"); break;
            case "unknown-null": retry["futureField"] = null; header["futureHeaderField"] = null; break;
        }
        var (again, againBody, againRaw) = await Host.CallAsync(method, retry);
        Assert.True(again == 200, againRaw);
        Assert.Equal(Calls.WithoutHeader(body!), Calls.WithoutHeader(againBody!));

        // In that form a changed amount is still another body.
        var changed = Retry(retry, v2);
        Touch(changed);
        Assert.Equal(412, (await Host.CallAsync(method, changed)).Status);
        // Another major is refused before the request is looked up (a version this route does not serve).
        var otherMajor = Retry(retry, v2);
        otherMajor["requestHeader"]!["protocolVersion"]!["major"] = v2 ? 3 : 2;
        var (refused, _, refusedRaw) = await Host.CallAsync(method, otherMajor);
        Assert.True(refused == 400 && refusedRaw.Contains(v2 ? "invalidApiVersion" : "INVALID_API_VERSION", StringComparison.Ordinal), refusedRaw);
    }

    private static JsonObject Retry(JsonObject body, bool v2)
    {
        var retry = body.DeepClone().AsObject();
        retry["requestHeader"]!["requestTimestamp"] = v2 ? new JsonObject { ["epochMillis"] = GspRequests.Now() } : GspRequests.Now();
        return retry;
    }

    private Task<(int Status, string Body)> RequeueAsync(string requestId) =>
        Host.InternalAsync(HttpMethod.Post, $"/internal/operations/{GspRequests.Usd}/{requestId}/requeue", "");

    [Fact]
    public async Task Concurrent_requeues_of_work_that_is_not_parked_are_refused_and_Google_hears_of_it_once()
    {
        // Only this test's work in flight: the latency below slows every notification.
        await Fuzz.MutationFuzzTests.WaitUntilFinishedAsync(fixture.Host);
        var refund = GspRequests.RefundV1(fixture.PaidGenerateId, 5);
        var refundId = refund["requestHeader"]!["requestId"]!.GetValue<string>();
        // Google answers slowly, so the requeues arrive while the work is acknowledged and on its way.
        Host.Google.Policy = new GoogleFaultPolicy { Latency = TimeSpan.FromSeconds(1) };
        try
        {
            Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.AsynchronousRefundV1, refund)).Status);
            var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => RequeueAsync(refundId)));
            Assert.All(answers, a => Assert.True(a.Status == 409, $"{a.Status}: {a.Body}"));
            await WaitForStateAsync(refundId, OperationStates.Done);
        }
        finally
        {
            Host.Google.Policy = GoogleFaultPolicy.None;
        }
        // Any extra attempt would have been queued by the requeues above, and would have landed by now.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var operation = await OperationAsync(refundId);
        Assert.Single(Host.Google.AttemptsFor(NotificationId(operation)));
        Assert.DoesNotContain(Steps(operation), s => s == "requeue");
    }

    [Fact]
    public async Task Concurrent_requeues_of_parked_work_make_exactly_one_new_attempt()
    {
        // Only this test's work in flight: the fault below hits every refund notification.
        await Fuzz.MutationFuzzTests.WaitUntilFinishedAsync(fixture.Host);
        const int rounds = 20;
        var refundIds = new List<string>();
        // Google refuses each of these notifications (an ErrorResponse: that notification's fault, which parks it);
        // a 503 for all of them would be Google down for everyone, which opens its circuit breaker and parks nothing.
        Host.Google.Policy = new GoogleFaultPolicy { Custom = call => call.Method == "refundResultNotification" ? GoogleFault.ErrorResponse : null };
        try
        {
            for (var i = 0; i < rounds; i++)
            {
                var refund = GspRequests.RefundV1(fixture.PaidGenerateId, 5);
                refundIds.Add(refund["requestHeader"]!["requestId"]!.GetValue<string>());
                Assert.Equal(200, (await Host.CallAsync(ProtocolMethods.AsynchronousRefundV1, refund)).Status);
            }
            foreach (var id in refundIds) await WaitForStateAsync(id, OperationStates.NeedsAttention);
        }
        finally
        {
            Host.Google.Policy = GoogleFaultPolicy.None;
        }
        foreach (var id in refundIds)
        {
            var parked = await OperationAsync(id);
            var notificationId = NotificationId(parked);
            var attemptsBefore = Host.Google.AttemptsFor(notificationId).Count;
            var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => RequeueAsync(id)));
            var statuses = string.Join(",", answers.Select(a => a.Status));
            Assert.True(answers.Count(a => a.Status == 202) == 1 && answers.Count(a => a.Status == 409) == 7, $"{id}: {statuses}");

            await WaitForStateAsync(id, OperationStates.Done);
            await Task.Delay(300);
            var done = await OperationAsync(id);
            var attempts = Host.Google.AttemptsFor(notificationId);
            Assert.True(attempts.Count == attemptsBefore + 1, $"{id}: {attempts.Count - attemptsBefore} new notification attempts");
            Assert.True(attempts[^1].Accepted);
            Assert.Single(Steps(done), s => s == "requeue");
            Assert.Equal(Steps(parked).Count(s => s == "notification") + 1, Steps(done).Count(s => s == "notification"));
        }
        // Done work stays done: a late requeue is refused too.
        Assert.Equal(409, (await RequeueAsync(refundIds[0])).Status);
    }

    private async Task<JsonNode> OperationAsync(string requestId)
    {
        var (status, body) = await Host.InternalAsync(HttpMethod.Get, $"/internal/operations/{GspRequests.Usd}/{requestId}");
        Assert.True(status == 200, body);
        return JsonNode.Parse(body)!["calls"]![0]!["operation"]!;
    }

    private static string NotificationId(JsonNode operation) => operation[nameof(OperationRow.NotificationRequestId)]!.GetValue<string>();

    /// <summary>The step log's step names, in order.</summary>
    private static List<string> Steps(JsonNode operation) =>
        operation[nameof(OperationRow.Attempts)]!.AsArray().Select(s => s!["step"]!.GetValue<string>()).ToList();

    private async Task WaitForStateAsync(string requestId, string state)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var (status, body) = await Host.InternalAsync(HttpMethod.Get, $"/internal/operations/{GspRequests.Usd}/{requestId}");
            if (status == 200 && JsonNode.Parse(body)!["calls"]?.AsArray().Any(c => c?["operation"]?[nameof(OperationRow.State)]?.GetValue<string>() == state) == true) return;
            Assert.True(DateTime.UtcNow < deadline, $"operation {requestId} not {state}: {body}");
            await Task.Delay(100);
        }
    }

    [Theory]
    [InlineData("/refundable-one-time-payment-code-v1/echo")]
    [InlineData("/internal/reference-numbers/1234567890123456/payment")]
    public async Task A_client_that_stops_sending_its_body_gets_408_logged_as_its_own_fault(string path)
    {
        var errorsBefore = Host.Logs.GetSnapshot().Count(m => m.Level >= LogLevel.Error);
        using var client = new TcpClient();
        await client.ConnectAsync(Host.BaseAddress.Host, Host.BaseAddress.Port);
        var stream = client.GetStream();
        var head = $"POST {path} HTTP/1.1\r\nHost: {Host.BaseAddress.Authority}\r\nContent-Type: application/json\r\n"
            + $"x-internal-key: {LocalHostUnderTest.InternalKey}\r\nContent-Length: 1000\r\n\r\n{{\"requestHeader\":";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer, timeout.Token);
        var answer = Encoding.ASCII.GetString(buffer, 0, read);
        Assert.StartsWith("HTTP/1.1 408", answer);
        await Task.Delay(200);
        Assert.Contains(Host.Logs.GetSnapshot(), m => m.Message.Contains("the client did not send its body", StringComparison.Ordinal) && m.Level <= LogLevel.Warning);
        var errors = Host.Logs.GetSnapshot().Where(m => m.Level >= LogLevel.Error).Skip(errorsBefore).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => fixture.LogSafe(e.Message))));
    }

    [Fact]
    public async Task A_commit_storage_refuses_gives_back_the_marker_so_the_corrected_call_is_served()
    {
        var ledger = Host.Services.GetRequiredService<IdempotencyLedger>();
        var store = Host.Services.GetRequiredService<TransactionStore>();
        var requestId = GspRequests.NewId("L");
        var partition = Keys.MandatePartition(GspRequests.InrWallet, GspRequests.NewId("MD"));
        var methodKey = Keys.MethodKey(ProtocolMethods.CreateMandateV1);
        var request = new IdempotentRequest(GspRequests.InrWallet, methodKey, requestId, "fingerprint", partition, NeedsMarker: true);
        // A property over what Table Storage holds: refused by storage at the commit, after the claim.
        // (The storage client refuses it before sending; storage itself would answer 400.)
        await Assert.ThrowsAnyAsync<Exception>(() => ledger.ExecuteAsync(request, (_, _) =>
            ValueTask.FromResult(new CommitPlan("{}", [new TableTransactionAction(TableTransactionActionType.Add,
                new TableEntity(partition, Keys.StateRow(partition)) { ["Name"] = new string('n', 40_000) })], [])), CancellationToken.None));
        var markerPartition = Keys.MarkerPartition(GspRequests.InrWallet, requestId);
        Assert.Null(await store.Requests.GetOrNullAsync(markerPartition, Keys.MarkerRow(markerPartition, methodKey)));

        var payload = await ledger.ExecuteAsync(request with { Fingerprint = "corrected" }, (_, _) =>
            ValueTask.FromResult(new CommitPlan("{\"ok\":1}", [new TableTransactionAction(TableTransactionActionType.Add,
                new TableEntity(partition, Keys.StateRow(partition)) { ["Name"] = "n" })], [])), CancellationToken.None);
        Assert.Equal("{\"ok\":1}", payload);
    }

    [Fact]
    public async Task A_key_given_in_the_query_string_or_a_header_never_reaches_the_log()
    {
        var key = Uri.EscapeDataString(LocalHostUnderTest.InternalKey);
        // Right and wrong keys, as code= and as headers, on routes with and without a key check.
        foreach (var path in new[]
        {
            $"/internal/operations/needs-attention?code={key}",
            $"/internal/operations/needs-attention?x=1&code={key}&y=2",
            $"/internal/operations/needs-attention?CODE={key}",
            $"/health?code={key}",
            $"/internal/operations/{GspRequests.Usd}/{GspRequests.NewId()}?code={key}%00%0d%0aforged",
        })
        {
            var (status, _) = await Host.InternalAsync(HttpMethod.Get, path, key: null);
            Assert.True(status < 500, path);
        }
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/internal/operations/needs-attention"))
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + LocalHostUnderTest.InternalKey);
            request.Headers.TryAddWithoutValidation("x-functions-key", LocalHostUnderTest.InternalKey);
            request.Headers.TryAddWithoutValidation("x-internal-key", LocalHostUnderTest.InternalKey);
            using var response = await Host.Http.SendAsync(request);
            Assert.Equal(200, (int)response.StatusCode);
        }
        // The request lines were written (with the key masked), not left out.
        Assert.Contains(Host.Logs.GetSnapshot(), m => m.Message.Contains("Request starting", StringComparison.Ordinal) && m.Message.Contains("code=***", StringComparison.Ordinal));
        var unsafeLines = fixture.UnsafeLogLines();
        Assert.True(unsafeLines.Count == 0, string.Join("\n", unsafeLines.Take(10)));
    }
}
