namespace Payments.Core.Transactions;

public enum PaymentReportStatus { Paid, Unknown, Refused }
