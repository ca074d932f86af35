using System.Text.Json.Serialization.Metadata;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;
using Azure.Data.Tables;

namespace Payments.Core.Transactions;

/// <summary>createMandate: a mandate keyed by its Google-generated mandateId. The marker written for
/// the call also lets cancelMandate find the mandate by the createMandate requestId.</summary>
internal sealed class CreateMandateV1Handler(IdempotencyLedger ledger) : ProtocolHandler<CreateMandateV1Request>
{
    private static readonly string Success = ResponseWriter.Payload(w => w.WriteString("result", "SUCCESS"));

    public override ProtocolMethod Method => ProtocolMethods.CreateMandateV1;
    protected override JsonTypeInfo<CreateMandateV1Request> TypeInfo => ProtocolJsonContext.Default.CreateMandateV1Request;

    protected override void CollectMissing(CreateMandateV1Request r, List<string> missing) => Require(missing, r.MandateId, "mandateId");

    protected override void ValidateFields(CreateMandateV1Request r)
    {
        ValidateExternalId(r.MandateId!, "mandateId");
        ValidateText(r.MandateName, "mandateName");
        ValidateText(r.MandateDescription, "mandateDescription");
        ValidateText(r.Frequency, "frequency", MaxCodeLength);
        ValidateDate(r.StartDate, "startDate");
        ValidateDate(r.EndDate, "endDate");
        if (r.MaximumAmount is { } max)
        {
            if (max.CurrencyCode is null || max.AmountMicros is null) throw ProtocolException.InvalidField("maximumAmount needs amountMicros and currencyCode");
            ValidateCurrency(max.CurrencyCode, "maximumAmount.currencyCode");
            ValidatePositive(max.AmountMicros.Value, "maximumAmount.amountMicros");
        }
        if (r.StartDate is { } start && r.EndDate is { } end && end.EpochMillis < start.EpochMillis)
            throw ProtocolException.InvalidField("endDate is before startDate");
    }

    protected override Task<string> ExecuteAsync(ProtocolCall call, CreateMandateV1Request r, CancellationToken cancellationToken)
    {
        var piaid = call.PaymentIntegratorAccountId!;
        var partition = Keys.MandatePartition(piaid, r.MandateId!);
        return ledger.ExecuteAsync(
            IdempotentRequest.For(call, partition, needsMarker: true),
            (snapshot, _) =>
            {
                if (snapshot.State is not null)
                    throw ProtocolException.Precondition("a mandate with this mandateId already exists");
                var state = new MandateRow(partition, MandateStatus.Active, piaid, r.MandateId!, call.RequestId, r.MandateName, r.Frequency,
                    r.MaximumAmount?.AmountMicros, r.MaximumAmount?.CurrencyCode,
                    r.StartDate is { } s ? DateTimeOffset.FromUnixTimeMilliseconds(s.EpochMillis) : null,
                    r.EndDate is { } e ? DateTimeOffset.FromUnixTimeMilliseconds(e.EpochMillis) : null, snapshot.Now);
                return ValueTask.FromResult(new CommitPlan(Success, [new TableTransactionAction(TableTransactionActionType.Add, state.ToEntity())], []));
            },
            cancellationToken);
    }
}
