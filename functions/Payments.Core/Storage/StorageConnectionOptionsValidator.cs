using Microsoft.Extensions.Options;

namespace Payments.Core.Storage;

/// <summary>The connection is complete and well-formed (<see cref="StorageConnection.From"/> says why not).</summary>
public sealed class StorageConnectionOptionsValidator : IValidateOptions<StorageConnectionOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageConnectionOptions options)
    {
        try
        {
            StorageConnection.From(options);
            return ValidateOptionsResult.Success;
        }
        catch (InvalidOperationException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
