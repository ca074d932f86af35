using System.Security.Cryptography;
using System.Text.Json.Serialization.Metadata;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;
using Azure;
using Azure.Data.Tables;

namespace Payments.Core.Transactions;

/// <summary>reserveFunds: holds the amount until it is cancelled or lapses.</summary>
internal sealed class ReserveFundsV1Handler(IdempotencyLedger ledger, PaymentsOptions options) : ProtocolHandler<ReserveFundsV1Request, Money>
{
    public override ProtocolMethod Method => ProtocolMethods.ReserveFundsV1;
    protected override JsonTypeInfo<ReserveFundsV1Request> TypeInfo => ProtocolJsonContext.Default.ReserveFundsV1Request;

    protected override void CollectMissing(ReserveFundsV1Request r, List<string> missing)
    {
        Require(missing, r.GooglePaymentToken, "googlePaymentToken");
        Require(missing, r.TransactionDescription, "transactionDescription");
        RequireFlatAmount(missing, r.CurrencyCode, r.Amount);
    }

    /// <returns>the amount to hold</returns>
    protected override Money Validate(ReserveFundsV1Request r)
    {
        ValidateText(r.TransactionDescription, "transactionDescription");
        return ValidateFlatAmount(r.CurrencyCode, r.Amount);
    }

    protected override Task<string> ExecuteAsync(ProtocolCall call, Money amount, CancellationToken cancellationToken)
    {
        var piaid = call.Account;
        var partition = Keys.FundsReservationPartition(piaid, call.RequestId);
        return ledger.ExecuteAsync(
            IdempotentRequest.For(call, partition, needsMarker: false),
            (snapshot, _) =>
            {
                if (snapshot.State is not null)
                    throw ProtocolException.Precondition("a transaction already exists for this requestId");
                var transactionId = "RF-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
                var expires = snapshot.Now + options.FundsReservationValidity;
                var state = new FundsReservationRow(partition, FundsReservationStatus.Reserved, piaid, call.RequestId, transactionId, amount.Micros,
                    amount.CurrencyCode, snapshot.Now, expires);
                var payload = ResponseWriter.Payload(w =>
                {
                    w.WriteString("paymentIntegratorTransactionId", transactionId);
                    w.WriteString("result", "SUCCESS");
                    w.WriteString("expirationTimestamp", expires.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
                });
                return ValueTask.FromResult(new CommitPlan(payload, [new TableTransactionAction(TableTransactionActionType.Add, state.ToEntity())], []));
            },
            cancellationToken);
    }
}
