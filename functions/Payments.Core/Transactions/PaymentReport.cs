namespace Payments.Core.Transactions;

public sealed record PaymentReport(string PaymentIntegratorAccountId, string ReferenceNumber, string PaymentIntegratorTransactionId, long PaidAtEpochMillis);
