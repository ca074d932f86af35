using System.Collections.Frozen;
using Microsoft.Extensions.Configuration;

namespace Payments.Core.Hosting;

/// <summary>The protocol settings (docs/interfaces.md), read once at start-up.</summary>
public sealed class PaymentsOptions
{
    public required FrozenSet<string> AccountIds { get; init; }
    public int IdempotencyRetentionDays { get; init; } = 400;
    /// <summary>How long a generated reference number can be paid at a store.</summary>
    public TimeSpan ReferenceNumberValidity { get; init; } = TimeSpan.FromDays(7);
    /// <summary>How long a funds reservation holds before it lapses (docs/protocol.md §2: typically 7 days).</summary>
    public TimeSpan FundsReservationValidity { get; init; } = TimeSpan.FromDays(7);

    public static PaymentsOptions FromConfiguration(IConfiguration configuration)
    {
        var ids = (configuration[SettingNames.AccountIds] ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (ids.Length == 0)
            throw new InvalidOperationException($"Setting {SettingNames.ToEnvironmentName(SettingNames.AccountIds)} is empty: list the paymentIntegratorAccountIds this deployment serves.");
        foreach (var id in ids)
            if (id.Any(c => c is '|' or '/' or '\\' or '#' or '?' || char.IsControl(c)))
                throw new InvalidOperationException($"Setting {SettingNames.ToEnvironmentName(SettingNames.AccountIds)}: account id '{id}' contains a character that cannot be part of a storage key.");
        return new PaymentsOptions
        {
            AccountIds = ids.ToFrozenSet(StringComparer.Ordinal),
            IdempotencyRetentionDays = SettingNames.ReadInt(configuration, SettingNames.IdempotencyRetentionDays, 400, min: 1),
            ReferenceNumberValidity = TimeSpan.FromHours(SettingNames.ReadInt(configuration, SettingNames.ReferenceNumberValidityHours, 168, min: 1)),
            FundsReservationValidity = TimeSpan.FromHours(SettingNames.ReadInt(configuration, SettingNames.FundsReservationValidityHours, 168, min: 1)),
        };
    }


}
