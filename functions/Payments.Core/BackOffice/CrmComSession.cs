using System.Buffers.Text;
using System.Text.Json;

namespace Payments.Core.BackOffice;

/// <summary>
/// The cached CRM.COM login token, shared by every <see cref="CrmComBackOffice"/> instance (register it as a
/// singleton; the adapter itself is a typed HttpClient and therefore transient). Thread-safe: one login at a time.
/// The token is replaced at <c>min(issued + TokenRefreshAfter, exp − margin)</c> (exp only when the token is a JWT),
/// and after an authentication failure (<see cref="Invalidate"/>).
/// </summary>
public sealed class CrmComSession : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private CachedToken? _current;
    private int _logins;

    /// <summary>Number of successful logins (for tests and diagnostics).</summary>
    public int LoginCount => Volatile.Read(ref _logins);

    internal sealed record CachedToken(string Value, DateTimeOffset RefreshAt);

    /// <summary>The current token, logging in when there is none or it is due for refresh.</summary>
    internal async Task<string> GetTokenAsync(Func<CancellationToken, Task<string>> login, CrmComOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _current);
        if (current is not null && time.GetUtcNow() < current.RefreshAt) return current.Value;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            current = Volatile.Read(ref _current);
            if (current is not null && time.GetUtcNow() < current.RefreshAt) return current.Value;
            var issued = time.GetUtcNow();
            var token = await login(cancellationToken).ConfigureAwait(false);
            var refreshAt = RefreshTime(token, issued, options.TokenRefreshAfter);
            Volatile.Write(ref _current, new CachedToken(token, refreshAt));
            Interlocked.Increment(ref _logins);
            return token;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Forgets <paramref name="token"/> if it is still the cached one (another caller may already have replaced it).</summary>
    internal void Invalidate(string token)
    {
        var current = Volatile.Read(ref _current);
        if (current is not null && current.Value == token) Interlocked.CompareExchange(ref _current, null, current);
    }

    /// <summary>When the cached token must be replaced.</summary>
    internal static DateTimeOffset RefreshTime(string token, DateTimeOffset issued, TimeSpan refreshAfter)
    {
        var refreshAt = issued + refreshAfter;
        if (TryReadJwtTimes(token, out var exp, out var iat))
        {
            var lifetime = exp - (iat ?? issued);
            if (lifetime > TimeSpan.Zero)
            {
                var margin = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(5).Ticks, lifetime.Ticks / 10));
                var jwtRefresh = exp - margin;
                // A JWT that already looks expired by our clock (skew) is not trusted: keep the issue-time rule.
                if (jwtRefresh > issued && jwtRefresh < refreshAt) refreshAt = jwtRefresh;
            }
        }
        return refreshAt;
    }

    /// <summary>Reads <c>exp</c> (and <c>iat</c>) from a JWT's payload without validating it (it is the server's token).</summary>
    internal static bool TryReadJwtTimes(string token, out DateTimeOffset exp, out DateTimeOffset? iat)
    {
        exp = default;
        iat = null;
        var parts = token.Split('.');
        if (parts.Length != 3 || parts[1].Length == 0) return false;
        try
        {
            var payload = Base64Url.DecodeFromChars(parts[1]);
            using var doc = JsonDocument.Parse(payload);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return false;
            if (!doc.RootElement.TryGetProperty("exp", out var e) || !e.TryGetInt64(out var expSeconds)) return false;
            exp = DateTimeOffset.FromUnixTimeSeconds(expSeconds);
            if (doc.RootElement.TryGetProperty("iat", out var i) && i.TryGetInt64(out var iatSeconds))
                iat = DateTimeOffset.FromUnixTimeSeconds(iatSeconds);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    public void Dispose() => _gate.Dispose();
}
