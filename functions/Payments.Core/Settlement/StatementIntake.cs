using Azure.Data.Tables;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;
using Payments.Core.Transactions;

namespace Payments.Core.Settlement;

/// <summary>What a remittanceStatementNotification commits, in every family (docs/protocol.md, "Settlement"): the
/// summary and the reconciliation work (operation, outbox row, queue message) in one commit, before the 200.
/// The statement's partition is named after the call's requestId (the statement id), so the call creates its
/// transaction and reads nothing first; a re-delivery replays the stored answer and a changed body is refused (412).</summary>
internal static class StatementIntake
{
    public static Task<string> ExecuteAsync(IdempotencyLedger ledger, ProtocolCall call, RemittanceSummary summary, string payload, CancellationToken cancellationToken)
    {
        var piaid = call.Account;
        var statementId = call.RequestId;
        var partition = StatementKeys.Partition(piaid, statementId);
        var operationRow = StatementKeys.OperationRow(statementId);
        var api = $"{call.Method.Api}-v{call.Method.Version}";
        return ledger.ExecuteAsync(
            IdempotentRequest.For(call, partition, needsMarker: false),
            (snapshot, _) =>
            {
                // The statement exists but its ledger entry is gone (retention): known, nothing new to start.
                if (snapshot.State is not null) return ValueTask.FromResult(CommitPlan.Answer(payload));
                var statement = new StatementRow(partition, piaid, statementId, api, StatementStates.Received, summary, snapshot.Now, snapshot.Now, 0);
                // The operation's "notification" is the acceptance the work ends with.
                var operation = Operations.New(partition, operationRow, OperationKinds.Statement, piaid, statementId, QueueNames.Statements,
                    new ProtocolMethod(call.Method.Api, call.Method.Version, "acceptRemittanceStatement"), snapshot.Now);
                return ValueTask.FromResult(new CommitPlan(payload,
                    [
                        new TableTransactionAction(TableTransactionActionType.Add, statement.ToEntity()),
                        new TableTransactionAction(TableTransactionActionType.Add, operation.ToEntity()),
                    ],
                    [new OutboxMessage(QueueNames.Statements, new WorkItem(partition, operationRow))]));
            },
            cancellationToken);
    }
}
