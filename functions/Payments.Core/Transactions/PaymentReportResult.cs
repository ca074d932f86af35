namespace Payments.Core.Transactions;

public sealed record PaymentReportResult(PaymentReportStatus Status, string Detail, string? NotificationRequestId = null);
