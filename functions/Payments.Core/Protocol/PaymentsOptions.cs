using System.Collections.Frozen;
using System.ComponentModel.DataAnnotations;

namespace Payments.Core.Protocol;

/// <summary>The protocol settings (<c>Payments:*</c>, docs/interfaces.md).</summary>
public sealed class PaymentsOptions : IValidatableObject
{
    public const string Section = "Payments";

    /// <summary>The paymentIntegratorAccountIds this deployment serves, comma-separated.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "is empty: list the paymentIntegratorAccountIds this deployment serves.")]
    public string AccountIds { get; set; } = "";
    [Range(1, int.MaxValue)]
    public int IdempotencyRetentionDays { get; set; } = 400;
    /// <summary>How long a generated reference number can be paid at a store.</summary>
    [Range(1, int.MaxValue)]
    public int ReferenceNumberValidityHours { get; set; } = 168;
    /// <summary>How long a funds reservation holds before it lapses (docs/protocol.md §2: typically 7 days).</summary>
    [Range(1, int.MaxValue)]
    public int FundsReservationValidityHours { get; set; } = 168;

    public TimeSpan ReferenceNumberValidity => TimeSpan.FromHours(ReferenceNumberValidityHours);
    public TimeSpan FundsReservationValidity => TimeSpan.FromHours(FundsReservationValidityHours);

    private FrozenSet<string>? _accounts;

    /// <summary>Whether this deployment serves the account.</summary>
    public bool Serves(string paymentIntegratorAccountId) =>
        (_accounts ??= AccountIdList().ToFrozenSet(StringComparer.Ordinal)).Contains(paymentIntegratorAccountId);

    private string[] AccountIdList() => AccountIds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (AccountIds.Length > 0 && AccountIdList().Length == 0)
            yield return new ValidationResult("is empty: list the paymentIntegratorAccountIds this deployment serves.", [nameof(AccountIds)]);
        // Account ids are part of storage keys.
        if (AccountIdList().Any(id => id.Any(c => c is '|' or '/' or '\\' or '#' or '?' || char.IsControl(c))))
            yield return new ValidationResult("an account id contains a character that cannot be part of a storage key (| / \\ # ? or a control character).", [nameof(AccountIds)]);
    }
}
