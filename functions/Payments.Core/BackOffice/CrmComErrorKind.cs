namespace Payments.Core.BackOffice;

/// <summary>How the adapter treats a CRM.COM envelope error code.</summary>
public enum CrmComErrorKind
{
    /// <summary>Anything not in the table: a fault, retried by the caller (after a look-up).</summary>
    Fault,
    /// <summary>The token is invalid, expired or released: log in again once and retry once.</summary>
    Authentication,
    /// <summary>The credentials were refused at login: a configuration fault.</summary>
    LoginRefused,
    /// <summary>The <c>back_office_code</c> exists already: the booking was made before; look it up.</summary>
    DuplicateBackOfficeCode,
    /// <summary>The object looked up does not exist.</summary>
    NotFound,
    /// <summary>A final business refusal, mapped to a GSP refund decline code.</summary>
    BusinessRefusal,
}
