using System.Text.Json.Serialization.Metadata;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;

namespace Payments.Core.Settlement;

/// <summary>remittanceStatementNotification v1 (refundable-one-time-payment-code, redirect-payment-token,
/// e-wallets): one instance per family. Answers ACCEPTED with our statement id (docs/protocol.md, "Settlement").</summary>
internal sealed class RemittanceStatementNotificationV1Handler(ProtocolMethod method, IdempotencyLedger ledger)
    : ProtocolHandler<RemittanceStatementNotificationV1Request, RemittanceSummary>
{
    public override ProtocolMethod Method => method;
    protected override JsonTypeInfo<RemittanceStatementNotificationV1Request> TypeInfo => ProtocolJsonContext.Default.RemittanceStatementNotificationV1Request;

    protected override void CollectMissing(RemittanceStatementNotificationV1Request r, List<string> missing)
    {
        const string s = "remittanceStatementSummary";
        if (r.RemittanceStatementSummary is not { } summary) { missing.Add(s); return; }
        StatementFields.RequireDates(missing, summary.StatementDate, summary.BillingPeriod);
        Require(missing, summary.CurrencyCode, s + ".currencyCode");
        if (summary.TotalDueByIntegrator is null) missing.Add(s + ".totalDueByIntegrator");
    }

    protected override RemittanceSummary Validate(RemittanceStatementNotificationV1Request r)
    {
        var summary = Present(r.RemittanceStatementSummary, "remittanceStatementSummary");
        var currency = Present(summary.CurrencyCode, "remittanceStatementSummary.currencyCode");
        ValidateCurrency(currency, "remittanceStatementSummary.currencyCode");
        var memo = summary.RemittanceInstructions?.MemoLineId;
        ValidateText(memo, "remittanceStatementSummary.remittanceInstructions.memoLineId", StatementFields.MaxMemoLength);
        return StatementFields.Summary(summary.StatementDate, summary.BillingPeriod, summary.DateDue, currency,
            Present(summary.TotalDueByIntegrator, "remittanceStatementSummary.totalDueByIntegrator"), totalEvents: null, memo);
    }

    protected override Task<string> ExecuteAsync(ProtocolCall call, RemittanceSummary summary, CancellationToken cancellationToken)
    {
        var statementId = StatementKeys.PaymentIntegratorStatementId(call.Account, call.RequestId);
        var payload = ResponseWriter.Payload(w =>
        {
            w.WriteString("paymentIntegratorStatementId", statementId);
            w.WriteString("result", "ACCEPTED");
        });
        return StatementIntake.ExecuteAsync(ledger, call, summary, payload, cancellationToken);
    }
}
