using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;
using Payments.Core.Settlement;
using Payments.Core.Storage;
using Payments.StandIns.Gsp;
using Payments.Tests.EndToEnd;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Settlement;

/// <summary>remittanceStatementNotification in the four families over HTTP (docs/protocol.md, "Settlement"): the
/// answer, idempotency, the refusals, and that the summary and the reconciliation work are committed before the 200.</summary>
[Trait("Category", Category.EndToEnd)]
public sealed class RemittanceStatementNotificationTests(SettlementRig rig) : IClassFixture<SettlementRig>
{
    public static TheoryData<string> Families => new()
    {
        "refundable-one-time-payment-code-v1", "refundable-one-time-payment-code-v2", "redirect-payment-token-v1", "e-wallets-v1",
    };

    private static ProtocolMethod Method(string family) => ProtocolMethods.All.Single(m => m.Name == "remittanceStatementNotification" && $"{m.Api}-v{m.Version}" == family);

    /// <summary>A notification whose statement the fake Google serves (empty unless the test registers another).</summary>
    private JsonObject Request(ProtocolMethod method, string piaid, long due = 5_000_000)
    {
        var summary = SettlementRig.Summary(due, totalEvents: method.Version == 2 ? 0 : null);
        var id = GspRequests.NewId("ST");
        rig.Google.AddStatement(piaid, id, summary, []);
        var (start, end) = (summary.BillingPeriodStart, summary.BillingPeriodEnd);
        return method.Version == 2
            ? GspRequests.RemittanceStatementNotificationV2(id, piaid, start, end, due, 0)
            : GspRequests.RemittanceStatementNotificationV1(id, piaid, start, end, due);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task A_statement_is_acknowledged_stored_and_its_reconciliation_queued(string family)
    {
        var method = Method(family);
        var piaid = rig.NewAccount();
        var request = Request(method, piaid, due: 0);
        var id = GspRequests.RequestId(request);

        var (status, body, raw) = await rig.Host.CallAsync(method, request);

        Assert.True(status == 200, raw);
        if (method.Version == 2)
        {
            Assert.Equal("""{"result":{"accepted":{}}}""", Calls.WithoutHeader(body!));
        }
        else
        {
            Assert.Equal("ACCEPTED", body!["result"]!.GetValue<string>());
            Assert.Equal(StatementKeys.PaymentIntegratorStatementId(piaid, id), body["paymentIntegratorStatementId"]!.GetValue<string>());
        }
        // Stored with the summary as notified, and the work queued: the empty statement is reconciled and accepted.
        var view = await rig.WaitForAsync(piaid, id);
        Assert.Equal(StatementStates.Accepted, view["state"]!.GetValue<string>());
        Assert.Equal(family, view["api"]!.GetValue<string>());
        Assert.Equal("USD", view["summary"]!["currencyCode"]!.GetValue<string>());
        Assert.Single(rig.Google.AcceptCalls, c => c.StatementId == id);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task A_redelivery_gets_the_stored_answer_and_a_changed_body_412_and_neither_starts_work_again(string family)
    {
        var method = Method(family);
        var piaid = rig.NewAccount();
        var request = Request(method, piaid, due: 0);
        var id = GspRequests.RequestId(request);
        var (_, first, _) = await rig.Host.CallAsync(method, request);
        var view = await rig.WaitForAsync(piaid, id);
        Assert.True(view["state"]!.GetValue<string>() == StatementStates.Accepted, view.ToJsonString());

        var (again, replay, _) = await rig.Host.CallAsync(method, GspRequests.Refreshed(request));
        Assert.Equal(200, again);
        Assert.Equal(Calls.WithoutHeader(first!), Calls.WithoutHeader(replay!));

        var changed = GspRequests.Refreshed(request);
        var summary = changed["remittanceStatementSummary"]!;
        if (method.Version == 2) summary["totalDueByIntegrator"]!["amountMicros"] = "1";
        else summary["totalDueByIntegrator"] = "1";
        var (refused, error, _) = await rig.Host.CallAsync(method, changed);
        Assert.Equal(412, refused);
        Assert.Contains(Code(method, "IDEMPOTENCY_VIOLATION"), error!.ToJsonString(), StringComparison.Ordinal);

        await Task.Delay(500);
        Assert.Single(rig.Google.AcceptCalls, c => c.StatementId == id);
        Assert.Single(rig.Google.PageCalls, c => c.StatementId == id);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task An_account_not_served_is_404_INVALID_IDENTIFIER_and_nothing_is_stored(string family)
    {
        var method = Method(family);
        var request = Request(method, "NOT_OURS");
        var (status, body, _) = await rig.Host.CallAsync(method, request);
        Assert.Equal(404, status);
        Assert.Contains(Code(method, "INVALID_IDENTIFIER"), body!.ToJsonString(), StringComparison.Ordinal);
        Assert.Null(await rig.ViewAsync("NOT_OURS", GspRequests.RequestId(request)));
    }

    public static TheoryData<string, string, int, string> Malformed => new()
    {
        // family, what to do to the summary, status, code
        { "refundable-one-time-payment-code-v1", "drop:remittanceStatementSummary", 400, "MISSING_REQUIRED_FIELD" },
        { "refundable-one-time-payment-code-v1", "drop:currencyCode", 400, "MISSING_REQUIRED_FIELD" },
        { "redirect-payment-token-v1", "drop:totalDueByIntegrator", 400, "MISSING_REQUIRED_FIELD" },
        { "e-wallets-v1", "drop:billingPeriod", 400, "MISSING_REQUIRED_FIELD" },
        { "e-wallets-v1", "drop:statementDate", 400, "MISSING_REQUIRED_FIELD" },
        { "refundable-one-time-payment-code-v1", "set:currencyCode=XXXX", 400, "INVALID_FIELD_VALUE" },
        { "refundable-one-time-payment-code-v1", "set:totalDueByIntegrator=12.5", 400, "INVALID_FIELD_VALUE" },
        { "refundable-one-time-payment-code-v1", "set:totalDueByIntegrator=99999999999999999999999", 400, "INVALID_FIELD_VALUE" },
        { "redirect-payment-token-v1", "swap:billingPeriod", 400, "INVALID_FIELD_VALUE" },
        { "e-wallets-v1", "set:statementDate=-5", 400, "INVALID_FIELD_VALUE" },
        { "e-wallets-v1", "memo:5000", 400, "INVALID_FIELD_VALUE" },
        { "e-wallets-v1", "memo:control", 400, "INVALID_FIELD_VALUE" },
        { "refundable-one-time-payment-code-v1", "set:remittanceStatementSummary=[]", 400, "INVALID_FIELD_VALUE" },
        { "refundable-one-time-payment-code-v2", "drop:totalDueByIntegrator", 400, "MISSING_REQUIRED_FIELD" },
        { "refundable-one-time-payment-code-v2", "v2currency:", 400, "MISSING_REQUIRED_FIELD" },
        { "refundable-one-time-payment-code-v2", "v2currency:usd", 400, "INVALID_FIELD_VALUE" },
        { "refundable-one-time-payment-code-v2", "set:totalEvents=-1", 400, "INVALID_FIELD_VALUE" },
        { "refundable-one-time-payment-code-v2", "set:totalEvents=\"x\"", 400, "INVALID_FIELD_VALUE" },
        { "refundable-one-time-payment-code-v2", "swap:billingPeriod", 400, "INVALID_FIELD_VALUE" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task A_malformed_summary_is_refused_with_its_code_never_a_500_and_nothing_is_stored(string family, string change, int status, string code)
    {
        var method = Method(family);
        var piaid = rig.NewAccount();
        var request = Request(method, piaid);
        var summary = request["remittanceStatementSummary"]!.AsObject();
        var (verb, arg) = (change[..change.IndexOf(':')], change[(change.IndexOf(':') + 1)..]);
        switch (verb)
        {
            case "drop" when arg == "remittanceStatementSummary": request.Remove(arg); break;
            case "drop": summary.Remove(arg); break;
            case "set":
                var (name, value) = (arg[..arg.IndexOf('=')], arg[(arg.IndexOf('=') + 1)..]);
                var node = JsonNode.Parse(value.StartsWith('[') || value.StartsWith('"') || value.StartsWith('-') || char.IsDigit(value[0]) ? value : $"\"{value}\"");
                if (name == "remittanceStatementSummary") request[name] = node;
                else if (name == "statementDate" && method.Version == 1) summary[name] = value;
                else summary[name] = node;
                break;
            case "swap":
                var period = summary["billingPeriod"]!.AsObject();
                var startDate = period["startDate"]!.DeepClone();
                period["startDate"] = period["endDate"]!.DeepClone();
                period["endDate"] = startDate;
                break;
            case "memo":
                summary["remittanceInstructions"]!["memoLineId"] = arg == "control" ? "memo\u0007" : new string('m', int.Parse(arg));
                break;
            case "v2currency":
                if (arg.Length == 0) summary["totalDueByIntegrator"]!.AsObject().Remove("currencyCode");
                else summary["totalDueByIntegrator"]!["currencyCode"] = arg;
                break;
        }
        var (answer, body, raw) = await rig.Host.CallAsync(method, request);
        Assert.True(answer == status, raw);
        Assert.Contains(Code(method, code), raw, StringComparison.Ordinal);
        Assert.Null(await rig.ViewAsync(piaid, GspRequests.RequestId(request)));
    }

    /// <summary>The error code as the method's version names it (v2: the errorResponseResult member).</summary>
    private static string Code(ProtocolMethod method, string v1) => method.Version == 1 ? v1 : string.Concat(
        v1.ToLowerInvariant().Split('_').Select((part, i) => i == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..]));

    [Theory]
    [MemberData(nameof(Families))]
    public async Task Unknown_fields_are_ignored_and_optional_ones_may_be_absent(string family)
    {
        var method = Method(family);
        var piaid = rig.NewAccount();
        var request = Request(method, piaid, due: 0);
        var summary = request["remittanceStatementSummary"]!.AsObject();
        summary["totalPresentmentAmounts"] = new JsonArray(GspRequests.Amount(0, "USD"));
        summary["somethingNew"] = new JsonObject { ["x"] = 1 };
        summary.Remove("dateDue");
        summary.Remove("remittanceInstructions");
        request["extra"] = "ignored";
        var id = GspRequests.RequestId(request);
        var (status, _, raw) = await rig.Host.CallAsync(method, request);
        Assert.True(status == 200, raw);
        Assert.NotNull(await rig.ViewAsync(piaid, id));
    }

    [Fact]
    public async Task The_notification_commits_the_statement_the_operation_and_the_outbox_row_before_it_answers()
    {
        // Held at the first page: what the 200 left behind is seen before any reconciliation step.
        var piaid = rig.NewAccount();
        var request = Request(ProtocolMethods.RemittanceStatementNotificationRedirectV1, piaid, due: 0);
        var id = GspRequests.RequestId(request);
        var release = new TaskCompletionSource();
        rig.Google.HoldPage = (statement, _) => statement == id ? release.Task : Task.CompletedTask;
        try
        {
            Assert.Equal(200, (await rig.Host.CallAsync(ProtocolMethods.RemittanceStatementNotificationRedirectV1, request)).Status);
            var store = rig.Host.Services.GetRequiredService<TransactionStore>();
            var partition = StatementKeys.Partition(piaid, id);
            Assert.NotNull(await store.Transactions.GetOrNullAsync(partition, StatementKeys.StateRow(partition)));
            Assert.NotNull(await store.Transactions.GetOrNullAsync(partition, StatementKeys.OperationRow(id)));
            Assert.NotNull(await store.Outbox.GetOrNullAsync(partition, StatementKeys.OperationRow(id)));
        }
        finally
        {
            release.SetResult();
        }
        Assert.Equal(StatementStates.Accepted, (await rig.WaitForAsync(piaid, id))["state"]!.GetValue<string>());
    }
}
