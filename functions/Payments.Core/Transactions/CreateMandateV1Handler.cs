using System.Text.Json.Serialization.Metadata;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;
using Azure;
using Azure.Data.Tables;

namespace Payments.Core.Transactions;

/// <summary>createMandate: a mandate keyed by its Google-generated mandateId. The marker written for
/// the call also lets cancelMandate find the mandate by the createMandate requestId.</summary>
internal sealed class CreateMandateV1Handler(IdempotencyLedger ledger) : ProtocolHandler<CreateMandateV1Request, CreateMandateV1Handler.Mandate>
{
    /// <summary>A validated createMandate call: what the mandate row stores.</summary>
    public sealed record Mandate(string MandateId, string? Name, string? Frequency, Money? MaximumAmount, DateTimeOffset? StartDate, DateTimeOffset? EndDate);

    private static readonly string Success = ResponseWriter.Payload(w => w.WriteString("result", "SUCCESS"));

    public override ProtocolMethod Method => ProtocolMethods.CreateMandateV1;
    protected override JsonTypeInfo<CreateMandateV1Request> TypeInfo => ProtocolJsonContext.Default.CreateMandateV1Request;

    protected override void CollectMissing(CreateMandateV1Request r, List<string> missing) => Require(missing, r.MandateId, "mandateId");

    protected override Mandate Validate(CreateMandateV1Request r)
    {
        var mandateId = ValidateExternalId(r.MandateId, "mandateId");
        ValidateText(r.MandateName, "mandateName");
        ValidateText(r.MandateDescription, "mandateDescription");
        ValidateText(r.Frequency, "frequency", MaxCodeLength);
        ValidateDate(r.StartDate, "startDate");
        ValidateDate(r.EndDate, "endDate");
        Money? maximum = null;
        if (r.MaximumAmount is { } max)
        {
            if (max.CurrencyCode is null || max.AmountMicros is null) throw ProtocolException.InvalidField("maximumAmount needs amountMicros and currencyCode");
            ValidateCurrency(max.CurrencyCode, "maximumAmount.currencyCode");
            ValidatePositive(max.AmountMicros.Value, "maximumAmount.amountMicros");
            maximum = new Money(max.AmountMicros.Value, max.CurrencyCode);
        }
        if (r.StartDate is { } start && r.EndDate is { } end && end.EpochMillis < start.EpochMillis)
            throw ProtocolException.InvalidField("endDate is before startDate");
        return new(mandateId, r.MandateName, r.Frequency, maximum, Date(r.StartDate), Date(r.EndDate));
    }

    private static DateTimeOffset? Date(WireTimestamp? value) => value is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v.EpochMillis) : null;

    protected override Task<string> ExecuteAsync(ProtocolCall call, Mandate m, CancellationToken cancellationToken)
    {
        var piaid = call.Account;
        var partition = Keys.MandatePartition(piaid, m.MandateId);
        return ledger.ExecuteAsync(
            IdempotentRequest.For(call, partition, needsMarker: true),
            (snapshot, _) =>
            {
                if (snapshot.State is not null)
                    throw ProtocolException.Precondition("a mandate with this mandateId already exists");
                var state = new MandateRow(partition, MandateStatus.Active, piaid, m.MandateId, call.RequestId, m.Name, m.Frequency,
                    m.MaximumAmount?.Micros, m.MaximumAmount?.CurrencyCode, m.StartDate, m.EndDate, snapshot.Now);
                return ValueTask.FromResult(new CommitPlan(Success, [new TableTransactionAction(TableTransactionActionType.Add, state.ToEntity())], []));
            },
            cancellationToken);
    }
}
