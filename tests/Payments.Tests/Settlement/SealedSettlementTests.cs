using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Payments.Core.Journal;
using Payments.Core.Protocol;
using Payments.Core.Security;
using Payments.Core.Settlement;
using Payments.StandIns.Google;
using Payments.StandIns.Gsp;
using Payments.Tests.EndToEnd;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Settlement;

/// <summary>Settlement end to end under message security: money moved through the protocol (a paid reference number,
/// an asynchronous refund) sealed as Google seals it; the statement notified; its pages served by Google's stand-in
/// over HTTP with the real client; reconciled and accepted exactly once; the operator view shows the stand-in's
/// counts and sums.</summary>
[Trait("Category", Category.EndToEnd)]
public sealed class SealedSettlementTests
{
    private const string Piaid = "SETTLE_SEALED";

    [Theory]
    [InlineData("Pgp")]
    [InlineData("Jwe")]
    public async Task A_statement_of_money_moved_through_the_protocol_is_fetched_from_Google_reconciled_and_accepted_once(string mode)
    {
        var (ours, google) = StatementEnvelopes.For(mode);
        await using var standIn = await GoogleStandIn.StartAsync(google);
        var settings = new Dictionary<string, string?>
        {
            ["Security:Mode"] = mode,
            ["Payments:AccountIds"] = string.Join(",", LocalHostUnderTest.Accounts.Append(Piaid)),
        };
        foreach (var (k, v) in KeySettings(mode)) settings[k] = v;
        await using var host = await LocalHostUnderTest.StartAsync(settings: settings, google: standIn);

        async Task<JsonNode> CallAsync(ProtocolMethod method, JsonObject request)
        {
            var (status, body, _) = await host.PostBytesAsync(method.Route, google.Seal(Encoding.UTF8.GetBytes(request.ToJsonString())), google.ContentType);
            var json = JsonNode.Parse(google.Open(body))!;
            Assert.True(status == 200, json.ToJsonString());
            return json;
        }

        var generateId = GspRequests.NewId("G");
        var number = GspRequests.ReferenceNumberOf(await CallAsync(ProtocolMethods.GenerateReferenceNumberV1, GspRequests.GenerateV1(generateId, 9_000_000, piaid: Piaid)))!;
        Assert.Equal(200, (await host.PayAsync(Piaid, number)).Status);
        var refundId = GspRequests.NewId("R");
        await CallAsync(ProtocolMethods.AsynchronousRefundV1, GspRequests.RefundV1(generateId, 4_000_000, id: refundId, piaid: Piaid));
        var journal = host.Services.GetRequiredService<MoneyJournal>();
        for (var deadline = DateTime.UtcNow.AddSeconds(30); await journal.FindAsync(Piaid, refundId, default) is null; await Task.Delay(100))
            Assert.True(DateTime.UtcNow < deadline, "the refund was not journaled");

        var periodStart = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds());
        var movements = new List<MoneyMovement>();
        await foreach (var m in journal.ListAsync(Piaid, periodStart, periodStart.AddDays(1), default)) movements.Add(m);
        Assert.Equal(2, movements.Count);
        var statementId = GspRequests.NewId("ST");
        var statement = new StatementRef(Piaid, statementId, "refundable-one-time-payment-code-v1");
        var events = StatementBuilder.EventsFrom(statement, movements, _ => -50_000);
        var summary = StatementBuilder.SummaryOf(statement, events, "USD", periodStart);
        standIn.AddStatement(statement, summary, events, pageSize: 1);
        // The first page fails once at Google: retried with the same requestId.
        standIn.StatementFaults = call => call.Method == GoogleStatementsClient.DetailsMethod && call.EventOffset == 1 && call.Attempt == 1 ? StatementFault.ServiceUnavailable : null;

        var notified = await CallAsync(ProtocolMethods.RemittanceStatementNotificationRorpcV1,
            GspRequests.RemittanceStatementNotificationV1(statementId, Piaid, summary.BillingPeriodStart, summary.BillingPeriodEnd, summary.TotalDueByIntegratorMicros));
        Assert.Equal("ACCEPTED", notified["result"]!.GetValue<string>());

        JsonNode? view = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            var (status, body) = await host.InternalAsync(HttpMethod.Get, $"/internal/remittance-statements/{Piaid}/{statementId}");
            view = status == 200 ? JsonNode.Parse(body) : null;
            if (view?["state"]?.GetValue<string>() is StatementStates.Accepted or StatementStates.NeedsAttention) break;
        }
        Assert.True(view?["state"]?.GetValue<string>() == StatementStates.Accepted, view?.ToJsonString());
        Assert.Equal(2, view!["pagesFetched"]!.GetValue<int>());
        Assert.Equal(9_000_000, view["totals"]!["captureEvents"]!["chargesMicros"]!.GetValue<long>());
        Assert.Equal(-4_000_000, view["totals"]!["refundEvents"]!["chargesMicros"]!.GetValue<long>());
        Assert.Equal(-100_000, view["totals"]!["captureEvents"]!["feesMicros"]!.GetValue<long>() + view["totals"]!["refundEvents"]!["feesMicros"]!.GetValue<long>());
        Assert.Equal(StatementKeys.AcceptRequestId(Piaid, statementId), standIn.AcceptedBy(Piaid, statementId));
        Assert.Single(standIn.AcceptCalls, c => c.StatementId == statementId);
    }

    private static IReadOnlyDictionary<string, string?> KeySettings(string mode)
    {
        if (mode == "Pgp")
            return new Dictionary<string, string?>
            {
                [PgpOptions.IntegratorPrivateKeysSetting] = TestKeys.PgpOurs1.Secret,
                [PgpOptions.PassphraseSetting] = "",
                [PgpOptions.GooglePublicKeysSetting] = TestKeys.PgpGoogle.Public,
            };
        using var ours = TestKeys.NewRsa(2048);
        using var google = TestKeys.NewRsa(2048, 1);
        return new Dictionary<string, string?>
        {
            [JweOptions.IntegratorPrivateKeysSetting] = ours.ExportPkcs8PrivateKeyPem(),
            [JweOptions.GooglePublicKeysSetting] = google.ExportSubjectPublicKeyInfoPem(),
        };
    }
}
