using System.Security.Cryptography;
using System.Text.Json.Serialization.Metadata;
using Payments.Core.Hosting;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Storage;

namespace Payments.Core.Transactions;

public static class ReferenceNumberStatus
{
    public const string Active = "Active";
    public const string Paid = "Paid";
    public const string Cancelled = "Cancelled";
}

/// <summary>Creating reference numbers (the cash vouchers), shared by the v1 and v2 methods.</summary>
public sealed class ReferenceNumberIssuer(TransactionStore store, PaymentsOptions options)
{
    /// <summary>16 random digits: ~53 bits, not guessable from earlier numbers, printable and fits
    /// any common barcode symbology (Code 128, ITF, QR).</summary>
    public const int Digits = 16;

    /// <summary>A validated generateReferenceNumber call, v1 or v2.</summary>
    public sealed record Voucher(string Description, Money Amount);

    public async Task<CommitPlan> IssueAsync(ProtocolCall call, Snapshot snapshot, Voucher voucher, Func<string, string> payload, CancellationToken cancellationToken)
    {
        if (snapshot.State is not null)
            throw ProtocolException.Precondition("a transaction already exists for this requestId (created by another method)");

        var piaid = call.Account;
        var partition = Keys.ReferenceNumberPartition(piaid, call.RequestId);
        var (number, index) = await AllocateAsync(piaid, partition, cancellationToken);
        var state = new ReferenceNumberRow(partition, ReferenceNumberStatus.Active, piaid, call.RequestId, call.Method.Api, call.Method.Version, number,
            voucher.Amount.Micros, voucher.Amount.CurrencyCode, Truncate(voucher.Description, 1024), snapshot.Now, snapshot.Now + options.ReferenceNumberValidity, PaidMicros: 0, RefundedMicros: 0);
        return new CommitPlan(payload(number), [new TableTransactionAction(TableTransactionActionType.Add, state.ToEntity())], [])
        {
            // The commit conflicted (a replay, or a duplicate that won): the number stays unused.
            Abandon = ct => store.Requests.DeleteRowAsync(index.PartitionKey, index.RowKey, index.ETag, ct),
        };
    }

    /// <summary>Reserves a number unique per PIAID by inserting its index row (a collision is a 409:
    /// draw again). Should the transaction not commit, the row is removed again; if even that fails,
    /// it stays harmless: the index is always checked against the state it points to.</summary>
    private async Task<(string Number, TableEntity Index)> AllocateAsync(string piaid, string partition, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var number = NewNumber();
            var index = new ReferenceNumberIndexRow(piaid, number, partition).ToEntity();
            try
            {
                index.ETag = await store.Requests.InsertAsync(index, cancellationToken);
                return (number, index);
            }
            catch (RequestFailedException e) when (e.Status == 409) { }
        }
        throw new InvalidOperationException("could not allocate a unique reference number");
    }

    /// <remarks>GetItems draws all digits from one buffer of random bytes (a tenth of the cost of a
    /// GetInt32 per digit), uniformly.</remarks>
    internal static string NewNumber() => string.Create(Digits, 0, static (digits, _) =>
    {
        RandomNumberGenerator.GetItems("123456789", digits[..1]); // no leading zero: survives numeric handling
        RandomNumberGenerator.GetItems("0123456789", digits[1..]);
    });

    /// <summary>The first <paramref name="max"/> UTF-16 units, one fewer when the cut would split a surrogate pair.</summary>
    private static string Truncate(string s, int max) =>
        s.Length <= max ? s : s[..(char.IsHighSurrogate(s[max - 1]) ? max - 1 : max)];
}

public sealed class GenerateReferenceNumberV1Handler(IdempotencyLedger ledger, ReferenceNumberIssuer issuer) : ProtocolHandler<GenerateReferenceNumberV1Request, ReferenceNumberIssuer.Voucher>
{
    public override ProtocolMethod Method => ProtocolMethods.GenerateReferenceNumberV1;
    protected override JsonTypeInfo<GenerateReferenceNumberV1Request> TypeInfo => ProtocolJsonContext.Default.GenerateReferenceNumberV1Request;

    protected override void CollectMissing(GenerateReferenceNumberV1Request r, List<string> missing)
    {
        Require(missing, r.TransactionDescription, "transactionDescription");
        RequireFlatAmount(missing, r.CurrencyCode, r.Amount);
    }

    protected override ReferenceNumberIssuer.Voucher Validate(GenerateReferenceNumberV1Request r)
    {
        ValidateText(r.TransactionDescription, "transactionDescription");
        var amount = ValidateFlatAmount(r.CurrencyCode, r.Amount);
        return new(Present(r.TransactionDescription, "transactionDescription"), amount);
    }

    protected override Task<string> ExecuteAsync(ProtocolCall call, ReferenceNumberIssuer.Voucher voucher, CancellationToken cancellationToken) =>
        ledger.ExecuteAsync(
            IdempotentRequest.For(call, Keys.ReferenceNumberPartition(call.Account, call.RequestId), needsMarker: false),
            (snapshot, ct) => new ValueTask<CommitPlan>(issuer.IssueAsync(call, snapshot, voucher,
                number => ResponseWriter.Payload(w =>
                {
                    w.WriteStartObject("displayableReferenceNumber");
                    w.WriteStartObject("barcodeWithPrintableString");
                    w.WriteString("printableString", number);
                    w.WriteString("barcodeContents", number);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }), ct)),
            cancellationToken);
}

public sealed class GenerateReferenceNumberV2Handler(IdempotencyLedger ledger, ReferenceNumberIssuer issuer) : ProtocolHandler<GenerateReferenceNumberV2Request, ReferenceNumberIssuer.Voucher>
{
    public override ProtocolMethod Method => ProtocolMethods.GenerateReferenceNumberV2;
    protected override JsonTypeInfo<GenerateReferenceNumberV2Request> TypeInfo => ProtocolJsonContext.Default.GenerateReferenceNumberV2Request;

    protected override void CollectMissing(GenerateReferenceNumberV2Request r, List<string> missing)
    {
        Require(missing, r.TransactionDescription, "transactionDescription");
        RequireAmount(missing, r.Amount, "amount");
    }

    protected override ReferenceNumberIssuer.Voucher Validate(GenerateReferenceNumberV2Request r)
    {
        ValidateText(r.TransactionDescription, "transactionDescription");
        var amount = ValidateAmount(r.Amount, "amount");
        return new(Present(r.TransactionDescription, "transactionDescription"), amount);
    }

    protected override Task<string> ExecuteAsync(ProtocolCall call, ReferenceNumberIssuer.Voucher voucher, CancellationToken cancellationToken) =>
        ledger.ExecuteAsync(
            IdempotentRequest.For(call, Keys.ReferenceNumberPartition(call.Account, call.RequestId), needsMarker: false),
            (snapshot, ct) => new ValueTask<CommitPlan>(issuer.IssueAsync(call, snapshot, voucher,
                number => ResponseWriter.Payload(w =>
                {
                    w.WriteStartObject("result");
                    w.WriteStartObject("success");
                    w.WriteStartObject("displayableReferenceNumber");
                    w.WriteStartObject("barcodeWithPrintableString");
                    w.WriteString("printableString", number);
                    w.WriteString("barcodeContents", number);
                    w.WriteEndObject();
                    w.WriteEndObject();
                    w.WriteEndObject();
                    w.WriteEndObject();
                }), ct)),
            cancellationToken);
}

/// <summary>docs/protocol.md §6: unpaid and active → cancelled; already cancelled or expired →
/// success; paid → referenceNumberAlreadyPaid; unknown → 404.</summary>
public sealed class CancelReferenceNumberV2Handler(IdempotencyLedger ledger) : ProtocolHandler<CancelReferenceNumberV2Request, string>
{
    private static readonly string Success = ResponseWriter.Payload(w => { w.WriteStartObject("result"); w.WriteStartObject("success"); w.WriteEndObject(); w.WriteEndObject(); });
    private static readonly string AlreadyPaid = ResponseWriter.Payload(w => { w.WriteStartObject("result"); w.WriteStartObject("referenceNumberAlreadyPaid"); w.WriteEndObject(); w.WriteEndObject(); });

    public override ProtocolMethod Method => ProtocolMethods.CancelReferenceNumberV2;
    protected override JsonTypeInfo<CancelReferenceNumberV2Request> TypeInfo => ProtocolJsonContext.Default.CancelReferenceNumberV2Request;

    protected override void CollectMissing(CancelReferenceNumberV2Request r, List<string> missing) =>
        Require(missing, r.GenerateReferenceNumberRequestId, "generateReferenceNumberRequestId");

    /// <returns>the generateReferenceNumberRequestId</returns>
    protected override string Validate(CancelReferenceNumberV2Request r) =>
        ValidateRequestIdReference(r.GenerateReferenceNumberRequestId, "generateReferenceNumberRequestId");

    protected override Task<string> ExecuteAsync(ProtocolCall call, string generateRequestId, CancellationToken cancellationToken)
    {
        var partition = Keys.ReferenceNumberPartition(call.Account, generateRequestId);
        return ledger.ExecuteAsync(
            IdempotentRequest.For(call, partition, needsMarker: true),
            (snapshot, _) =>
            {
                var state = ReferenceNumberRow.From(snapshot.State ?? throw ProtocolException.UnknownIdentifier("GENERATE_REFERENCE_NUMBER_REQUEST_ID",
                    "generateReferenceNumberRequestId does not name a reference number of this account"));
                var status = state.Status;
                if (status == ReferenceNumberStatus.Paid) return ValueTask.FromResult(CommitPlan.Answer(AlreadyPaid));
                if (status == ReferenceNumberStatus.Cancelled) return ValueTask.FromResult(CommitPlan.Answer(Success));

                // Active, expired or not: mark it cancelled, so that a payment reported late can never
                // succeed after Google was told the number is cancelled.

                var cancelled = state with { Status = ReferenceNumberStatus.Cancelled, CancelledAt = snapshot.Now };
                return ValueTask.FromResult(new CommitPlan(Success,
                    [new TableTransactionAction(TableTransactionActionType.UpdateMerge, cancelled.CancelledMerge(), state.ETag)], []));
            },
            cancellationToken);
    }
}

/// <summary>docs/protocol.md §6: against a paid reference number; currency must match; 0 &lt; amount ≤
/// remaining balance, reserved atomically with the acknowledgement; finished asynchronously.</summary>
public sealed class AsynchronousRefundV1Handler(IdempotencyLedger ledger) : ProtocolHandler<AsynchronousRefundV1Request, AsynchronousRefundV1Handler.Refund>
{
    /// <summary>A validated refund call: <paramref name="Amount"/> of the payment of the reference number
    /// generated by <paramref name="GenerateRequestId"/>.</summary>
    public sealed record Refund(string GenerateRequestId, Money Amount);

    private static readonly string Acknowledged = ResponseWriter.Payload(w => { w.WriteStartObject("result"); w.WriteStartObject("acknowledged"); w.WriteEndObject(); w.WriteEndObject(); });

    public override ProtocolMethod Method => ProtocolMethods.AsynchronousRefundV1;
    protected override JsonTypeInfo<AsynchronousRefundV1Request> TypeInfo => ProtocolJsonContext.Default.AsynchronousRefundV1Request;

    protected override void CollectMissing(AsynchronousRefundV1Request r, List<string> missing)
    {
        if (string.IsNullOrEmpty(r.GenerateReferenceNumberRequestId) && string.IsNullOrEmpty(r.CaptureRequestId))
            missing.Add("generateReferenceNumberRequestId");
        RequireAmount(missing, r.RefundAmount, "refundAmount");
    }

    protected override Refund Validate(AsynchronousRefundV1Request r)
    {
        var target = string.IsNullOrEmpty(r.GenerateReferenceNumberRequestId) ? r.CaptureRequestId : r.GenerateReferenceNumberRequestId;
        return new(ValidateRequestIdReference(target, "generateReferenceNumberRequestId"), ValidateAmount(r.RefundAmount, "refundAmount"));
    }

    protected override Task<string> ExecuteAsync(ProtocolCall call, Refund refund, CancellationToken cancellationToken)
    {
        var piaid = call.Account;
        var partition = Keys.ReferenceNumberPartition(piaid, refund.GenerateRequestId);
        var (amount, currency) = (refund.Amount.Micros, refund.Amount.CurrencyCode);
        var operationRow = Keys.OperationRow(call.RequestId);
        return ledger.ExecuteAsync(
            IdempotentRequest.For(call, partition, needsMarker: true),
            (snapshot, _) =>
            {
                var state = ReferenceNumberRow.From(snapshot.State ?? throw ProtocolException.UnknownIdentifier("GENERATE_REFERENCE_NUMBER_REQUEST_ID",
                    "generateReferenceNumberRequestId does not name a reference number of this account"));
                if (state.Status != ReferenceNumberStatus.Paid)
                    throw ProtocolException.Precondition("the reference number has not been paid; there is nothing to refund");
                if (state.CurrencyCode != currency)
                    throw ProtocolException.Precondition("refundAmount.currencyCode differs from the payment's currency");
                var (paid, refunded) = (state.PaidMicros, state.RefundedMicros);
                if (amount > paid - refunded)
                    throw ProtocolException.Precondition($"refundAmount exceeds the remaining refundable balance");

                var balance = state with { RefundedMicros = refunded + amount, UpdatedAt = snapshot.Now };
                var operation = Operations.New(partition, operationRow, OperationKinds.Refund, piaid, call.RequestId, QueueNames.Refunds,
                    GoogleMethods.RefundResultNotificationV1, snapshot.Now) with
                {
                    AmountMicros = amount,
                    CurrencyCode = currency,
                    ReferenceNumber = state.ReferenceNumber,
                    // Whole remaining balance → the back office cancels the posted payment; else a refund booking.
                    WholeRemaining = refunded == 0 && amount == paid,
                    BackOfficeCode = Operations.BackOfficeCode(piaid, call.RequestId),
                };
                return ValueTask.FromResult(new CommitPlan(Acknowledged,
                    [
                        new TableTransactionAction(TableTransactionActionType.UpdateMerge, balance.RefundedMerge(), state.ETag),
                        new TableTransactionAction(TableTransactionActionType.Add, operation.ToEntity()),
                    ],
                    [new OutboxMessage(QueueNames.Refunds, new WorkItem(partition, operationRow))]));
            },
            cancellationToken);
    }
}
