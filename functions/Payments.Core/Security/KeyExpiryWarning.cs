using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Payments.Core.Security;

/// <summary>
/// At start, a warning for every configured key (ours or Google's) that expires within <see cref="Notice"/>:
/// Google wants keys to expire within a year, so every deployment meets one, and an expired key stops the
/// integration (docs/deploy.md, key rotation). Flex Consumption starts instances often, so "at start" is
/// often enough for an alert on the event.
/// </summary>
public sealed partial class KeyExpiryWarning(IMessageEnvelope envelope, TimeProvider time, ILogger<KeyExpiryWarning> logger) : IHostedService
{
    public static readonly TimeSpan Notice = TimeSpan.FromDays(30);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var key in envelope.Keys)
            if (key.ExpiresUtc is { } expires && expires > now && expires - now <= Notice)
                LogExpiresSoon(logger, key.Setting, key.KeyId, expires, (int)Math.Ceiling((expires - now).TotalDays));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(90, LogLevel.Warning, "key {KeyId} in {Setting} expires at {ExpiresUtc:u} (in {Days} days): rotate it")]
    private static partial void LogExpiresSoon(ILogger logger, string setting, string keyId, DateTime expiresUtc, int days);
}
