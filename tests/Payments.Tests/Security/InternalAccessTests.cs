using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging.Abstractions;
using Payments.Core.Hosting;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Security;

/// <summary>The app's key on the internal routes fails closed: a value that is no real key opens nothing,
/// even when the caller sends that very value.</summary>
[Trait("Category", Category.Unit)]
public sealed class InternalAccessTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("short-key")] // under InternalAccess.MinKeyLength
    // What the platform leaves in the setting when the Key Vault reference does not resolve: public text.
    [InlineData("@Microsoft.KeyVault(SecretUri=https://kv-gsp-x.vault.azure.net/secrets/internal-api-key/)")]
    public async Task A_setting_that_holds_no_real_key_opens_nothing_even_to_its_own_value(string? setting)
    {
        var access = new InternalAccess(setting, NullLogger<InternalAccess>.Instance);
        Assert.Equal(401, await StatusAsync(access, setting));
    }

    [Fact]
    public async Task Only_the_exact_key_once_opens()
    {
        const string key = "a-long-enough-internal-key";
        var access = new InternalAccess(key, NullLogger<InternalAccess>.Instance);
        Assert.Equal(200, await StatusAsync(access, key));
        Assert.Equal(401, await StatusAsync(access, key + " "));
        Assert.Equal(401, await StatusAsync(access, key.ToUpperInvariant()));
        Assert.Equal(401, await StatusAsync(access, null));
        var twice = new DefaultHttpContext();
        twice.Request.Headers[InternalAccess.Header] = new Microsoft.Extensions.Primitives.StringValues([key, key]);
        Assert.IsNotType<OkResult>(await access.GuardAsync(twice.Request, () => Task.FromResult<IActionResult>(new OkResult())));
    }

    private static async Task<int> StatusAsync(InternalAccess access, string? sent)
    {
        var context = new DefaultHttpContext();
        if (sent is not null) context.Request.Headers[InternalAccess.Header] = sent;
        var result = await access.GuardAsync(context.Request, () => Task.FromResult<IActionResult>(new OkResult()));
        return result is OkResult ? 200 : result is HttpBodyResult body ? body.Status : -1;
    }
}
