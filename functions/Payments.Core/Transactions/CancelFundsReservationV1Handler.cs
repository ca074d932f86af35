using System.Security.Cryptography;
using System.Text.Json.Serialization.Metadata;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;
using Azure;
using Azure.Data.Tables;

namespace Payments.Core.Transactions;

/// <summary>docs/protocol.md §6: record the cancellation and answer SUCCESS (also for an expired or
/// already cancelled reservation; a captured one is refused); the release finishes asynchronously and is notified.</summary>
internal sealed class CancelFundsReservationV1Handler(IdempotencyLedger ledger) : ProtocolHandler<CancelFundsReservationV1Request, string>
{
    private static readonly string Success = ResponseWriter.Payload(w => w.WriteString("result", "SUCCESS"));

    public override ProtocolMethod Method => ProtocolMethods.CancelFundsReservationV1;
    protected override JsonTypeInfo<CancelFundsReservationV1Request> TypeInfo => ProtocolJsonContext.Default.CancelFundsReservationV1Request;

    protected override void CollectMissing(CancelFundsReservationV1Request r, List<string> missing) =>
        Require(missing, r.ReserveFundsRequestId, "reserveFundsRequestId");

    /// <returns>the reserveFundsRequestId</returns>
    protected override string Validate(CancelFundsReservationV1Request r) =>
        ValidateRequestIdReference(r.ReserveFundsRequestId, "reserveFundsRequestId");

    protected override Task<string> ExecuteAsync(ProtocolCall call, string reserveRequestId, CancellationToken cancellationToken)
    {
        var piaid = call.Account;
        var partition = Keys.FundsReservationPartition(piaid, reserveRequestId);
        var operationRow = Keys.OperationRow(call.RequestId);
        return ledger.ExecuteAsync(
            IdempotentRequest.For(call, partition, needsMarker: true),
            (snapshot, _) =>
            {
                var state = FundsReservationRow.From(snapshot.State ?? throw ProtocolException.UnknownIdentifier("RESERVE_FUNDS_REQUEST_ID",
                    "reserveFundsRequestId does not name a funds reservation of this account"));
                // Captured (captureFundsReservation won the race, or came first): nothing is left to release.
                if (state.Status == FundsReservationStatus.Captured)
                    throw ProtocolException.Precondition("the funds reservation was captured; a captured reservation cannot be cancelled");
                var actions = new List<TableTransactionAction>(2);
                if (state.Status == FundsReservationStatus.Reserved)
                {
                    var cancelled = state with { Status = FundsReservationStatus.Cancelled, CancelledAt = snapshot.Now };
                    actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateMerge, cancelled.CancelledMerge(), state.ETag));
                }
                var operation = Operations.New(partition, operationRow, OperationKinds.ReservationCancellation, piaid, call.RequestId,
                    QueueNames.ReservationCancellations, GoogleMethods.CancelFundsReservationResultNotificationV1, snapshot.Now)
                    with { AmountMicros = state.AmountMicros, CurrencyCode = state.CurrencyCode };
                actions.Add(new TableTransactionAction(TableTransactionActionType.Add, operation.ToEntity()));
                return ValueTask.FromResult(new CommitPlan(Success, actions,
                    [new OutboxMessage(QueueNames.ReservationCancellations, new WorkItem(partition, operationRow))]));
            },
            cancellationToken);
    }
}
