using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Payments.Core.Hosting;

/// <summary>
/// The app's own check on the internal routes, the same in every host: the <see cref="Header"/> header must
/// carry <c>Internal:ApiKey</c>. In Azure the Functions host checks a function key first, but every host key
/// (the default key, the master key) passes that check, so without this one a host key alone would open the
/// routes that mark a voucher paid (docs/deploy.md).
/// </summary>
public sealed partial class InternalAccess
{
    public const string Header = "x-internal-key";

    /// <summary>Shorter keys are treated as unset: nothing that short should guard money.</summary>
    public const int MinKeyLength = 16;

    /// <summary>SHA-256 of the key: equal-length values for the constant-time comparison, whatever is sent.</summary>
    private readonly byte[]? _keyHash;
    private readonly ILogger<InternalAccess> _logger;

    public InternalAccess(string? key, ILogger<InternalAccess> logger)
    {
        _logger = logger;
        // An unresolved Key Vault reference reaches the app as its own text, which is no secret.
        if (key is { Length: >= MinKeyLength } && !key.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase))
            _keyHash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
    }

    /// <summary>Runs <paramref name="next"/> only for a caller with the key; else 401 and nothing is read or done.</summary>
    public Task<IActionResult> GuardAsync(HttpRequest request, Func<Task<IActionResult>> next)
    {
        var reason = Refusal(request);
        if (reason is null) return next();
        LogRefused(_logger, request.Method, request.Path.Value ?? "", reason);
        return Task.FromResult<IActionResult>(HttpBodyResult.Json(401, JsonSerializer.SerializeToUtf8Bytes(
            new InternalProblem($"the {Header} header is missing or wrong"), InternalJsonContext.Default.InternalProblem)));
    }

    private string? Refusal(HttpRequest request)
    {
        if (_keyHash is null) return "Internal:ApiKey is not set (or is an unresolved Key Vault reference, or shorter than 16 characters)";
        var given = request.Headers[Header];
        if (given.Count == 0) return $"no {Header} header";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(given.Count == 1 ? given[0] ?? "" : ""));
        return CryptographicOperations.FixedTimeEquals(hash, _keyHash) ? null : $"wrong {Header}";
    }

    [LoggerMessage(43, LogLevel.Warning, "internal route refused: {Method} {Path}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string method, string path, string reason);
}
