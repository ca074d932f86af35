namespace Payments.Core.BackOffice;

/// <summary>
/// The explicit table of CRM.COM envelope error codes the adapter understands. Codes are compared after
/// normalisation (a Java-style package prefix such as <c>com.crm.exceptions.</c> and an <c>Exception</c>
/// suffix are dropped, <c>_</c>/<c>-</c> ignored, case-insensitive), so <c>INVALID_TOKEN</c>,
/// <c>InvalidToken</c> and <c>com.crm.exceptions.InvalidTokenException</c> are the same code.
/// The CRM.COM stand-in answers with the SCREAMING_SNAKE forms listed here.
/// </summary>
public static class CrmComErrorCodes
{
    public const string Ok = "OK";

    // Authentication
    public const string InvalidToken = "INVALID_TOKEN";
    public const string ExpiredToken = "EXPIRED_TOKEN";
    public const string InvalidCredentials = "INVALID_CREDENTIALS";

    // Idempotency / look-up
    public const string DuplicateBackOfficeCode = "DUPLICATE_BACK_OFFICE_CODE";
    public const string NotFound = "NOT_FOUND";

    // Business refusals
    public const string PaymentNotFound = "PAYMENT_NOT_FOUND";
    public const string PaymentNotPosted = "PAYMENT_NOT_POSTED";
    public const string PaymentAlreadyCancelled = "PAYMENT_ALREADY_CANCELLED";
    public const string RefundAmountExceedsPayment = "REFUND_AMOUNT_EXCEEDS_PAYMENT";
    public const string AccountClosed = "ACCOUNT_CLOSED";
    public const string AccountTerminated = "ACCOUNT_TERMINATED";
    public const string AccountTakenOver = "ACCOUNT_TAKEN_OVER";
    public const string AccountClosedFraud = "ACCOUNT_CLOSED_FRAUD";
    public const string AccountOnHold = "ACCOUNT_ON_HOLD";
    public const string AccountSuspended = "ACCOUNT_SUSPENDED";
    public const string RefundPeriodExpired = "REFUND_PERIOD_EXPIRED";
    public const string MaximumBalanceExceeded = "MAXIMUM_BALANCE_EXCEEDED";

    // Technical (stand-in uses it; any unknown code is a fault as well)
    public const string InternalError = "INTERNAL_ERROR";

    /// <summary>GSP refund decline codes (docs/protocol.md §2).</summary>
    public static class RefundDeclines
    {
        public const string NoMoneyLeftOnTransaction = "NO_MONEY_LEFT_ON_TRANSACTION";
        public const string AccountClosed = "ACCOUNT_CLOSED";
        public const string AccountClosedAccountTakenOver = "ACCOUNT_CLOSED_ACCOUNT_TAKEN_OVER";
        public const string AccountClosedFraud = "ACCOUNT_CLOSED_FRAUD";
        public const string AccountOnHold = "ACCOUNT_ON_HOLD";
        public const string RefundExceedsMaximumBalance = "REFUND_EXCEEDS_MAXIMUM_BALANCE";
        public const string RefundWindowExceeded = "REFUND_WINDOW_EXCEEDED";
    }

    /// <summary>code → (kind, GSP refund decline code for business refusals).</summary>
    public static IReadOnlyDictionary<string, (CrmComErrorKind Kind, string? RefundDecline)> Table { get; } =
        new Dictionary<string, (CrmComErrorKind, string?)>
        {
            [InvalidToken] = (CrmComErrorKind.Authentication, null),
            [ExpiredToken] = (CrmComErrorKind.Authentication, null),
            ["TOKEN_EXPIRED"] = (CrmComErrorKind.Authentication, null),
            ["INVALID_SESSION"] = (CrmComErrorKind.Authentication, null),
            ["NOT_AUTHENTICATED"] = (CrmComErrorKind.Authentication, null),
            ["UNAUTHORIZED"] = (CrmComErrorKind.Authentication, null),
            [InvalidCredentials] = (CrmComErrorKind.LoginRefused, null),
            ["LOGIN_FAILED"] = (CrmComErrorKind.LoginRefused, null),
            [DuplicateBackOfficeCode] = (CrmComErrorKind.DuplicateBackOfficeCode, null),
            ["BACK_OFFICE_CODE_ALREADY_EXISTS"] = (CrmComErrorKind.DuplicateBackOfficeCode, null),
            [NotFound] = (CrmComErrorKind.NotFound, null),
            ["OBJECT_NOT_FOUND"] = (CrmComErrorKind.NotFound, null),
            ["REFUND_NOT_FOUND"] = (CrmComErrorKind.NotFound, null),
            ["PAYMENT_CANCELLATION_NOT_FOUND"] = (CrmComErrorKind.NotFound, null),
            [PaymentNotFound] = (CrmComErrorKind.BusinessRefusal, RefundDeclines.NoMoneyLeftOnTransaction),
            [PaymentNotPosted] = (CrmComErrorKind.BusinessRefusal, RefundDeclines.NoMoneyLeftOnTransaction),
            [PaymentAlreadyCancelled] = (CrmComErrorKind.BusinessRefusal, RefundDeclines.NoMoneyLeftOnTransaction),
            [RefundAmountExceedsPayment] = (CrmComErrorKind.BusinessRefusal, RefundDeclines.NoMoneyLeftOnTransaction),
            [AccountClosed] = (CrmComErrorKind.BusinessRefusal, RefundDeclines.AccountClosed),
            [AccountTerminated] = (CrmComErrorKind.BusinessRefusal, RefundDeclines.AccountClosed),
            [AccountTakenOver] = (CrmComErrorKind.BusinessRefusal, RefundDeclines.AccountClosedAccountTakenOver),
            [AccountClosedFraud] = (CrmComErrorKind.BusinessRefusal, RefundDeclines.AccountClosedFraud),
            [AccountOnHold] = (CrmComErrorKind.BusinessRefusal, RefundDeclines.AccountOnHold),
            [AccountSuspended] = (CrmComErrorKind.BusinessRefusal, RefundDeclines.AccountOnHold),
            [RefundPeriodExpired] = (CrmComErrorKind.BusinessRefusal, RefundDeclines.RefundWindowExceeded),
            [MaximumBalanceExceeded] = (CrmComErrorKind.BusinessRefusal, RefundDeclines.RefundExceedsMaximumBalance),
        }.ToDictionary(kv => Normalise(kv.Key), kv => kv.Value, StringComparer.Ordinal);

    /// <summary>Classifies an envelope error code (null/empty → fault).</summary>
    public static (CrmComErrorKind Kind, string? RefundDecline) Classify(string? code)
        => code is { Length: > 0 } && Table.TryGetValue(Normalise(code), out var entry) ? entry : (CrmComErrorKind.Fault, null);

    internal static string Normalise(string code)
    {
        var s = code.Trim();
        var dot = s.LastIndexOf('.');
        if (dot >= 0 && dot < s.Length - 1) s = s[(dot + 1)..];
        if (s.EndsWith("Exception", StringComparison.OrdinalIgnoreCase) && s.Length > "Exception".Length) s = s[..^"Exception".Length];
        return string.Concat(s.Where(c => c != '_' && c != '-' && c != ' ')).ToUpperInvariant();
    }
}
