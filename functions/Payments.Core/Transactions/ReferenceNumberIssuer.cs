using System.Security.Cryptography;
using System.Text.Json.Serialization.Metadata;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Storage;

namespace Payments.Core.Transactions;

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
