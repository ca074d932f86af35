using Microsoft.Extensions.Options;
using Payments.Core.Configuration;

namespace Payments.Core.Idempotency;

/// <summary>Each queue trigger's setting names the queue the app writes to (<see cref="StorageNamesOptions.NamePrefix"/> + name).</summary>
internal sealed class StorageNamesOptionsValidator : IValidateOptions<StorageNamesOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageNamesOptions options)
    {
        var problems = options.Mismatches()
            .Select(p => $"{Settings.EnvironmentName(StorageNamesOptions.Section, p)}: must be {Settings.EnvironmentName(StorageNamesOptions.Section, nameof(options.NamePrefix))} followed by the queue's name")
            .ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
