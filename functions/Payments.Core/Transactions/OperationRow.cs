using Azure;
using Azure.Data.Tables;
using Payments.Core.Storage;
using Payments.Core.Idempotency;

namespace Payments.Core.Transactions;

/// <summary>An operation, row <c>op|…</c> of a transaction partition (docs/storage.md): the asynchronous work a
/// call started. Its property names and types are declared here, once, with the one mapping to and from the
/// table entity; every merge names the properties it changes. Counters and versions are Int32, amounts Int64.</summary>
/// <param name="Queue">where the work starts (the finishing step's queue)</param>
/// <param name="DueAt">when the operation is expected to move next; the outbox relay looks for ones overdue</param>
public sealed record OperationRow(string Partition, string Row, string Kind, string State, string PaymentIntegratorAccountId, string RequestId,
    string Queue, string NotificationApi, int NotificationVersion, string NotificationMethod, string NotificationRequestId,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset DueAt)
{
    // What the kind needs (set when the operation is created).
    public long? AmountMicros { get; init; }
    public string? CurrencyCode { get; init; }
    public string? ReferenceNumber { get; init; }
    /// <summary>A refund of the whole remaining balance: the back office cancels the posted payment.</summary>
    public bool? WholeRemaining { get; init; }
    public string? BackOfficeCode { get; init; }
    public string? PaymentIntegratorTransactionId { get; init; }
    public DateTimeOffset? PaidAt { get; init; }
    /// <summary>A synchronous booking: the capture row it books or refunds (<c>cap|{CaptureRequestId}</c>).</summary>
    public string? CaptureRequestId { get; init; }
    /// <summary>A synchronous booking: the ledger entry whose answer it makes final.</summary>
    public string? AnswerRow { get; init; }
    /// <summary>A refund: the requestId of the generateReferenceNumber call whose payment it gives money back from.</summary>
    public string? GenerateRequestId { get; init; }

    // How it went.
    /// <summary>The final result the notification reports.</summary>
    public string? Result { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public string? BookingId { get; init; }
    /// <summary>The step log (JSON array, the latest records) operators read.</summary>
    public string? Attempts { get; init; }
    public int? BookingAttempts { get; init; }
    public int? NotificationAttempts { get; init; }
    public DateTimeOffset? NotifiedAt { get; init; }
    public DateTimeOffset? RequeuedAt { get; init; }
    public string? ParkedQueue { get; init; }
    public string? ParkedReason { get; init; }
    public DateTimeOffset? RelayedAt { get; init; }
    public int? RelayCount { get; init; }

    /// <summary>As read (or as the last write left it): the ETag a conditional write needs.</summary>
    public ETag ETag { get; init; }

    private const string KindName = nameof(Kind), StateName = nameof(State), PaymentIntegratorAccountIdName = nameof(PaymentIntegratorAccountId),
        RequestIdName = nameof(RequestId), QueueName = nameof(Queue), NotificationApiName = nameof(NotificationApi),
        NotificationVersionName = nameof(NotificationVersion), NotificationMethodName = nameof(NotificationMethod),
        NotificationRequestIdName = nameof(NotificationRequestId), CreatedAtName = nameof(CreatedAt), UpdatedAtName = nameof(UpdatedAt),
        DueAtName = nameof(DueAt), AmountMicrosName = nameof(AmountMicros), CurrencyCodeName = nameof(CurrencyCode),
        ReferenceNumberName = nameof(ReferenceNumber), WholeRemainingName = nameof(WholeRemaining), BackOfficeCodeName = nameof(BackOfficeCode),
        PaymentIntegratorTransactionIdName = nameof(PaymentIntegratorTransactionId), PaidAtName = nameof(PaidAt), ResultName = nameof(Result),
        FinishedAtName = nameof(FinishedAt), BookingIdName = nameof(BookingId), AttemptsName = nameof(Attempts),
        BookingAttemptsName = nameof(BookingAttempts), NotificationAttemptsName = nameof(NotificationAttempts), NotifiedAtName = nameof(NotifiedAt),
        RequeuedAtName = nameof(RequeuedAt), ParkedQueueName = nameof(ParkedQueue), ParkedReasonName = nameof(ParkedReason),
        RelayedAtName = nameof(RelayedAt), RelayCountName = nameof(RelayCount),
        CaptureRequestIdName = nameof(CaptureRequestId), AnswerRowName = nameof(AnswerRow);
    private const string GenerateRequestIdName = nameof(GenerateRequestId);

    public WorkItem Item => new(Partition, Row);

    /// <summary>The whole row (the insert that creates it): every property that has a value.</summary>
    public TableEntity ToEntity()
    {
        var entity = new TableEntity(Partition, Row)
        {
            [KindName] = Kind, [StateName] = State, [PaymentIntegratorAccountIdName] = PaymentIntegratorAccountId, [RequestIdName] = RequestId,
            [QueueName] = Queue, [NotificationApiName] = NotificationApi, [NotificationVersionName] = NotificationVersion,
            [NotificationMethodName] = NotificationMethod, [NotificationRequestIdName] = NotificationRequestId,
            [CreatedAtName] = CreatedAt, [UpdatedAtName] = UpdatedAt, [DueAtName] = DueAt,
        };
        entity.SetIfPresent(AmountMicrosName, AmountMicros);
        entity.SetIfPresent(CurrencyCodeName, CurrencyCode);
        entity.SetIfPresent(ReferenceNumberName, ReferenceNumber);
        entity.SetIfPresent(WholeRemainingName, WholeRemaining);
        entity.SetIfPresent(BackOfficeCodeName, BackOfficeCode);
        entity.SetIfPresent(PaymentIntegratorTransactionIdName, PaymentIntegratorTransactionId);
        entity.SetIfPresent(PaidAtName, PaidAt);
        entity.SetIfPresent(CaptureRequestIdName, CaptureRequestId);
        entity.SetIfPresent(AnswerRowName, AnswerRow);
        entity.SetIfPresent(GenerateRequestIdName, GenerateRequestId);
        entity.SetIfPresent(ResultName, Result);
        entity.SetIfPresent(FinishedAtName, FinishedAt);
        entity.SetIfPresent(BookingIdName, BookingId);
        entity.SetIfPresent(AttemptsName, Attempts);
        entity.SetIfPresent(BookingAttemptsName, BookingAttempts);
        entity.SetIfPresent(NotificationAttemptsName, NotificationAttempts);
        entity.SetIfPresent(NotifiedAtName, NotifiedAt);
        entity.SetIfPresent(RequeuedAtName, RequeuedAt);
        entity.SetIfPresent(ParkedQueueName, ParkedQueue);
        entity.SetIfPresent(ParkedReasonName, ParkedReason);
        entity.SetIfPresent(RelayedAtName, RelayedAt);
        entity.SetIfPresent(RelayCountName, RelayCount);
        return entity;
    }

    public static OperationRow From(TableEntity e) =>
        new(e.PartitionKey, e.RowKey, e.GetString(KindName) ?? "", e.GetString(StateName) ?? "", e.GetString(PaymentIntegratorAccountIdName) ?? "",
            e.GetString(RequestIdName) ?? "", e.GetString(QueueName) ?? QueueNames.Refunds, e.GetString(NotificationApiName) ?? "",
            e.GetInt32(NotificationVersionName) ?? 0, e.GetString(NotificationMethodName) ?? "", e.GetString(NotificationRequestIdName) ?? "",
            e.GetDateTimeOffset(CreatedAtName) ?? DateTimeOffset.MinValue, e.GetDateTimeOffset(UpdatedAtName) ?? DateTimeOffset.MinValue,
            e.GetDateTimeOffset(DueAtName) ?? DateTimeOffset.MinValue)
        {
            AmountMicros = e.GetInt64(AmountMicrosName),
            CurrencyCode = e.GetString(CurrencyCodeName),
            ReferenceNumber = e.GetString(ReferenceNumberName),
            WholeRemaining = e.GetBoolean(WholeRemainingName),
            BackOfficeCode = e.GetString(BackOfficeCodeName),
            PaymentIntegratorTransactionId = e.GetString(PaymentIntegratorTransactionIdName),
            PaidAt = e.GetDateTimeOffset(PaidAtName),
            CaptureRequestId = e.GetString(CaptureRequestIdName),
            AnswerRow = e.GetString(AnswerRowName),
            GenerateRequestId = e.GetString(GenerateRequestIdName),
            Result = e.GetString(ResultName),
            FinishedAt = e.GetDateTimeOffset(FinishedAtName),
            BookingId = e.GetString(BookingIdName),
            Attempts = e.GetString(AttemptsName),
            BookingAttempts = e.GetInt32(BookingAttemptsName),
            NotificationAttempts = e.GetInt32(NotificationAttemptsName),
            NotifiedAt = e.GetDateTimeOffset(NotifiedAtName),
            RequeuedAt = e.GetDateTimeOffset(RequeuedAtName),
            ParkedQueue = e.GetString(ParkedQueueName),
            ParkedReason = e.GetString(ParkedReasonName),
            RelayedAt = e.GetDateTimeOffset(RelayedAtName),
            RelayCount = e.GetInt32(RelayCountName),
            ETag = e.ETag,
        };

    /// <summary>The merge that records the final result of the finishing step (a booking or a release).</summary>
    public TableEntity FinishedMerge() => Merge(StateName, ResultName, FinishedAtName, UpdatedAtName, DueAtName, AttemptsName, BookingIdName);

    /// <summary>The merge that records a failed attempt of the booking or of the notification, and when it parks
    /// the operation, why.</summary>
    public TableEntity FailedAttemptMerge(bool notification) =>
        State == OperationStates.NeedsAttention
            ? Merge(notification ? NotificationAttemptsName : BookingAttemptsName, AttemptsName, UpdatedAtName, DueAtName, StateName, ParkedQueueName, ParkedReasonName)
            : Merge(notification ? NotificationAttemptsName : BookingAttemptsName, AttemptsName, UpdatedAtName, DueAtName);

    /// <summary>The merge that records the notification Google accepted.</summary>
    public TableEntity DoneMerge() => Merge(StateName, NotifiedAtName, UpdatedAtName, NotificationAttemptsName, AttemptsName);

    /// <summary>The merge of an operator's requeue: the step to run and fresh attempt budgets.</summary>
    public TableEntity RequeueMerge() =>
        Merge(StateName, BookingAttemptsName, NotificationAttemptsName, UpdatedAtName, DueAtName, RequeuedAtName, AttemptsName);

    /// <summary>The merge of the outbox relay's claim.</summary>
    public TableEntity RelayedMerge() => Merge(DueAtName, RelayedAtName, RelayCountName);
    public TableEntity DeferredMerge() => Merge(DueAtName, UpdatedAtName);

    /// <summary>Operations not finished yet (pending or notifying).</summary>
    public static string UnfinishedFilter { get; } =
        $"{StateName} eq {TableClient.CreateQueryFilter($"{OperationStates.Pending}")} or {StateName} eq {TableClient.CreateQueryFilter($"{OperationStates.Notifying}")}";

    /// <summary>Whether <paramref name="property"/> is the step log (JSON, shown to operators as such).</summary>
    public static bool IsStepLog(string property) => property == AttemptsName;

    /// <summary>A merge of the named properties of this row (those without a value are left as stored).</summary>
    private TableEntity Merge(params string[] changed) => TableCalls.MergeOf(ToEntity(), changed);
}
