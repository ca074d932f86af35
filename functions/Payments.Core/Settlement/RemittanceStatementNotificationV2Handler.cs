using System.Text.Json.Serialization.Metadata;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;

namespace Payments.Core.Settlement;

/// <summary>remittanceStatementNotification v2 (refundable-one-time-payment-code): the currency is the due total's,
/// totalEvents is in the summary, and the answer is <c>{"result":{"accepted":{}}}</c> without a statement id of
/// ours (docs/protocol.md, "Settlement").</summary>
internal sealed class RemittanceStatementNotificationV2Handler(IdempotencyLedger ledger)
    : ProtocolHandler<RemittanceStatementNotificationV2Request, RemittanceSummary>
{
    private static readonly string Accepted = ResponseWriter.Payload(w => { w.WriteStartObject("result"); w.WriteStartObject("accepted"); w.WriteEndObject(); w.WriteEndObject(); });

    public override ProtocolMethod Method => ProtocolMethods.RemittanceStatementNotificationRorpcV2;
    protected override JsonTypeInfo<RemittanceStatementNotificationV2Request> TypeInfo => ProtocolJsonContext.Default.RemittanceStatementNotificationV2Request;

    protected override void CollectMissing(RemittanceStatementNotificationV2Request r, List<string> missing)
    {
        const string s = "remittanceStatementSummary";
        if (r.RemittanceStatementSummary is not { } summary) { missing.Add(s); return; }
        StatementFields.RequireDates(missing, summary.StatementDate, summary.BillingPeriod);
        if (summary.TotalDueByIntegrator is not { } due) missing.Add(s + ".totalDueByIntegrator");
        else
        {
            if (due.AmountMicros is null) missing.Add(s + ".totalDueByIntegrator.amountMicros");
            Require(missing, due.CurrencyCode, s + ".totalDueByIntegrator.currencyCode");
        }
    }

    protected override RemittanceSummary Validate(RemittanceStatementNotificationV2Request r)
    {
        var summary = Present(r.RemittanceStatementSummary, "remittanceStatementSummary");
        var due = Present(summary.TotalDueByIntegrator, "remittanceStatementSummary.totalDueByIntegrator");
        var currency = Present(due.CurrencyCode, "remittanceStatementSummary.totalDueByIntegrator.currencyCode");
        ValidateCurrency(currency, "remittanceStatementSummary.totalDueByIntegrator.currencyCode");
        if (summary.TotalEvents is < 0)
            throw ProtocolException.InvalidField("remittanceStatementSummary.totalEvents must not be negative");
        return StatementFields.Summary(summary.StatementDate, summary.BillingPeriod, summary.DateDue, currency,
            Present(due.AmountMicros, "remittanceStatementSummary.totalDueByIntegrator.amountMicros"), summary.TotalEvents, memoLineId: null);
    }

    protected override Task<string> ExecuteAsync(ProtocolCall call, RemittanceSummary summary, CancellationToken cancellationToken) =>
        StatementIntake.ExecuteAsync(ledger, call, summary, Accepted, cancellationToken);
}
