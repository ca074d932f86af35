using System.Text.Json.Serialization.Metadata;
using Azure.Data.Tables;
using Payments.Core.Idempotency;
using Payments.Core.Journal;
using Payments.Core.Protocol;

namespace Payments.Core.Transactions;

/// <summary>docs/protocol.md §6: the e-wallets v1 synchronous charge, against a googlePaymentToken (the capture is
/// its own transaction) or a mandate (the capture lives in the mandate's partition, decided under the mandate's
/// ETag, so a capture and a cancelMandate racing: exactly one order wins).</summary>
internal sealed class CaptureV1Handler(IdempotencyLedger ledger, SynchronousMoney money) : ProtocolHandler<CaptureV1Request, CaptureV1Handler.Charge>
{
    /// <summary>A validated charge of <paramref name="Amount"/>, against the mandate <paramref name="MandateId"/> (null: a token).</summary>
    public sealed record Charge(Money Amount, string? MandateId);

    public override ProtocolMethod Method => ProtocolMethods.CaptureEWalletsV1;
    protected override JsonTypeInfo<CaptureV1Request> TypeInfo => ProtocolJsonContext.Default.CaptureV1Request;

    protected override void CollectMissing(CaptureV1Request r, List<string> missing)
    {
        Require(missing, r.TransactionDescription, "transactionDescription");
        RequireFlatAmount(missing, r.CurrencyCode, r.Amount);
        if (string.IsNullOrEmpty(r.GooglePaymentToken) && r.MandateDetails is null && r.MandateWithNotificationDetails is null)
            missing.Add("googlePaymentToken");
        else if (r.MandateDetails is { MandateId: null or "" }) missing.Add("mandateDetails.mandateId");
        else if (r.MandateWithNotificationDetails is { MandateId: null or "" }) missing.Add("mandateWithNotificationDetails.mandateId");
    }

    protected override Charge Validate(CaptureV1Request r)
    {
        var forms = (string.IsNullOrEmpty(r.GooglePaymentToken) ? 0 : 1) + (r.MandateDetails is null ? 0 : 1) + (r.MandateWithNotificationDetails is null ? 0 : 1);
        if (forms != 1)
            throw ProtocolException.InvalidField("exactly one of googlePaymentToken, mandateDetails and mandateWithNotificationDetails must be given");
        ValidateText(r.TransactionDescription, "transactionDescription");
        var amount = ValidateFlatAmount(r.CurrencyCode, r.Amount);
        var mandate = r.MandateDetails is { } details ? ValidateExternalId(details.MandateId, "mandateDetails.mandateId")
            : r.MandateWithNotificationDetails is { } notified ? ValidateExternalId(notified.MandateId, "mandateWithNotificationDetails.mandateId")
            : null;
        return new(amount, mandate);
    }

    protected override async Task<string> ExecuteAsync(ProtocolCall call, Charge charge, CancellationToken cancellationToken)
    {
        var piaid = call.Account;
        var transactionId = MoneyIds.TransactionId(piaid, call.RequestId);
        var payload = ResponseWriter.Payload(w =>
        {
            w.WriteString("result", "SUCCESS");
            w.WriteString("paymentIntegratorTransactionId", transactionId);
        });
        var partition = charge.MandateId is { } mandateId ? Keys.MandatePartition(piaid, mandateId) : Keys.CapturePartition(piaid, call.RequestId);
        var answer = charge.MandateId is null
            ? await ChargeTokenAsync(call, charge.Amount, partition, transactionId, payload, cancellationToken)
            : await ChargeMandateAsync(call, charge.Amount, partition, transactionId, payload, cancellationToken);
        return await money.FinishAsync(answer, partition, call.RequestId, cancellationToken);
    }

    /// <summary>A token: opaque, as reserveFunds treats it; the capture creates its own transaction. It still claims
    /// the key's marker, as a capture against a mandate does: one method, two kinds of partition, so only the marker
    /// keeps one requestId from capturing once with a token and once against a mandate.</summary>
    private Task<string> ChargeTokenAsync(ProtocolCall call, Money amount, string partition, string transactionId, string payload, CancellationToken cancellationToken) =>
        ledger.ExecuteAsync(
            IdempotentRequest.For(call, partition, needsMarker: true),
            (snapshot, _) => ValueTask.FromResult(Plan(call, amount, partition, transactionId, payload, snapshot.Now, [])),
            cancellationToken);

    private Task<string> ChargeMandateAsync(ProtocolCall call, Money amount, string partition, string transactionId, string payload, CancellationToken cancellationToken) =>
        ledger.ExecuteAsync(
            IdempotentRequest.For(call, partition, needsMarker: true),
            (snapshot, _) =>
            {
                var mandate = MandateRow.From(snapshot.State ?? throw ProtocolException.UnknownIdentifier("MANDATE_ID", "mandateId does not name a mandate of this account"));
                if (!mandate.IsChargeable(snapshot.Now))
                    throw ProtocolException.Precondition(mandate.Status == MandateStatus.Cancelled ? "the mandate was cancelled" : "the mandate is not in force (not started yet, or ended)");
                if (mandate.CurrencyCode is { } currency && currency != amount.CurrencyCode)
                    throw ProtocolException.Precondition("currencyCode differs from the mandate's currency");
                if (mandate.MaximumAmountMicros is { } maximum && amount.Micros > maximum)
                    return ValueTask.FromResult(CommitPlan.Answer(Declined("CHARGE_EXCEEDS_TRANSACTION_LIMIT")));
                var period = MandateFrequency.Period(mandate.Frequency, snapshot.Now);
                var inPeriod = period is not null && period == mandate.ChargePeriod ? mandate.ChargesInPeriod ?? 0 : 0;
                if (period is not null && inPeriod >= 1)
                    return ValueTask.FromResult(CommitPlan.Answer(Declined(MandateFrequency.ExceededResult(mandate.Frequency!))));

                var charged = mandate with { ChargePeriod = period, ChargesInPeriod = inPeriod + 1, LastChargedAt = snapshot.Now };
                return ValueTask.FromResult(Plan(call, amount, partition, transactionId, payload, snapshot.Now,
                    [new TableTransactionAction(TableTransactionActionType.UpdateMerge, charged.ChargedMerge(), mandate.ETag)]));
            },
            cancellationToken);

    private static string Declined(string result) => ResponseWriter.Payload(w => w.WriteString("result", result));

    private CommitPlan Plan(ProtocolCall call, Money amount, string partition, string transactionId, string payload, DateTimeOffset now,
        IReadOnlyList<TableTransactionAction> stateChange)
    {
        var piaid = call.Account;
        var row = new CaptureRow(partition, call.RequestId, CaptureStatus.Pending, piaid, transactionId, MoneyIds.Api(Method), amount.Micros,
            amount.CurrencyCode, 0, now);
        var movement = new MoneyMovement(piaid, call.RequestId, transactionId, MoneyMovementKind.Capture, amount.Micros, amount.CurrencyCode, now,
            MoneyIds.Api(Method), partition);
        return money.Plan(new MoneyDecision(payload, stateChange, row, movement, new MoneyBooking(OperationKinds.CaptureBooking, call.RequestId)),
            Keys.LedgerRow(Keys.MethodKey(Method), call.RequestId), now);
    }
}
