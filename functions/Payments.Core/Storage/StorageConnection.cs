using Azure.Core;
using Azure.Identity;

namespace Payments.Core.Storage;

/// <summary>Where the tables and queues are and how to authenticate (SharedKey or a TokenCredential).</summary>
public sealed class StorageConnection
{
    /// <summary>Azurite's well-known development account (a public value).</summary>
    internal const string DevelopmentAccountName = "devstoreaccount1";
    internal const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public required Uri TableEndpoint { get; init; }
    public required Uri QueueEndpoint { get; init; }
    public string? AccountName { get; init; }
    /// <summary>Base64 account key for SharedKey; null when a TokenCredential is used.</summary>
    internal string? AccountKey { get; init; }
    public TokenCredential? Credential { get; init; }

    /// <summary>Parses <c>UseDevelopmentStorage=true</c> or an explicit connection string
    /// (<c>DefaultEndpointsProtocol=..;AccountName=..;AccountKey=..;TableEndpoint=..;QueueEndpoint=..</c>;
    /// endpoints not given are derived from AccountName, DefaultEndpointsProtocol and EndpointSuffix).</summary>
    /// <exception cref="FormatException">the string is malformed or incomplete (the message never holds the key).</exception>
    public static StorageConnection Parse(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = raw.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException("Storage connection string: every part must be 'Name=value' separated by ';'.");
            }
            parts[raw[..eq].Trim()] = raw[(eq + 1)..].Trim();
        }
        if (parts.Count == 0)
        {
            throw new FormatException("Storage connection string is empty.");
        }

        if (parts.TryGetValue("UseDevelopmentStorage", out var dev) && dev.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            return new StorageConnection
            {
                TableEndpoint = new Uri("http://127.0.0.1:10002/" + DevelopmentAccountName),
                QueueEndpoint = new Uri("http://127.0.0.1:10001/" + DevelopmentAccountName),
                AccountName = DevelopmentAccountName,
                AccountKey = DevelopmentAccountKey,
            };
        }

        if (parts.ContainsKey("SharedAccessSignature"))
        {
            throw new FormatException("Storage connection string: SharedAccessSignature is not supported; use AccountName and AccountKey, or identity-based settings.");
        }
        if (!parts.TryGetValue("AccountName", out var account) || account.Length == 0)
        {
            throw new FormatException("Storage connection string: AccountName is missing.");
        }
        if (!parts.TryGetValue("AccountKey", out var key) || key.Length == 0)
        {
            throw new FormatException("Storage connection string: AccountKey is missing.");
        }
        Span<byte> probe = stackalloc byte[256];
        if (!Convert.TryFromBase64String(key, probe, out _))
        {
            throw new FormatException("Storage connection string: AccountKey is not valid base64 (value not shown).");
        }

        var protocol = parts.GetValueOrDefault("DefaultEndpointsProtocol", "https");
        if (protocol is not ("http" or "https"))
        {
            throw new FormatException("Storage connection string: DefaultEndpointsProtocol must be http or https.");
        }
        var suffix = parts.GetValueOrDefault("EndpointSuffix", "core.windows.net");
        return new StorageConnection
        {
            TableEndpoint = Endpoint(parts, "TableEndpoint", $"{protocol}://{account}.table.{suffix}"),
            QueueEndpoint = Endpoint(parts, "QueueEndpoint", $"{protocol}://{account}.queue.{suffix}"),
            AccountName = account,
            AccountKey = key,
        };
    }

    private static Uri Endpoint(Dictionary<string, string> parts, string name, string derived)
    {
        var value = parts.GetValueOrDefault(name);
        if (string.IsNullOrEmpty(value)) value = derived;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new FormatException($"Storage connection string: {name} is not an absolute http(s) URI.");
        }
        return uri;
    }

    /// <summary>The connection string, or else the identity-based <c>{name}__tableServiceUri</c>/<c>__queueServiceUri</c>/<c>__credential</c>/<c>__clientId</c>.</summary>
    /// <exception cref="InvalidOperationException">neither form is configured completely (the message names the setting, never its value).</exception>
    public static StorageConnection From(StorageConnectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var name = options.Name.Replace(":", "__", StringComparison.Ordinal);
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            try
            {
                return Parse(options.ConnectionString);
            }
            catch (FormatException e)
            {
                throw new InvalidOperationException($"Setting '{name}': {e.Message}", e);
            }
        }

        if (string.IsNullOrWhiteSpace(options.TableServiceUri) && string.IsNullOrWhiteSpace(options.QueueServiceUri))
        {
            throw new InvalidOperationException(
                $"Storage is not configured: set '{name}' to a connection string (e.g. UseDevelopmentStorage=true) " +
                $"or '{name}__tableServiceUri' and '{name}__queueServiceUri' (with '{name}__credential=managedidentity').");
        }
        var table = ServiceUri(options.TableServiceUri, $"{name}__tableServiceUri");
        var queue = ServiceUri(options.QueueServiceUri, $"{name}__queueServiceUri");
        var clientId = options.ClientId;
        TokenCredential credential;
        if (string.Equals(options.Credential, "managedidentity", StringComparison.OrdinalIgnoreCase))
        {
            credential = string.IsNullOrWhiteSpace(clientId)
                ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
        }
        else
        {
            var identity = new DefaultAzureCredentialOptions();
            if (!string.IsNullOrWhiteSpace(clientId)) identity.ManagedIdentityClientId = clientId;
            credential = new DefaultAzureCredential(identity);
        }
        var host = table.Host;
        var dot = host.IndexOf('.', StringComparison.Ordinal);
        return new StorageConnection
        {
            TableEndpoint = table,
            QueueEndpoint = queue,
            AccountName = dot > 0 ? host[..dot] : null,
            Credential = credential,
        };
    }

    private static Uri ServiceUri(string? value, string setting)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException($"Setting '{setting}' is missing.");
        }
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidOperationException($"Setting '{setting}' is not an absolute http(s) URI.");
        }
        return uri;
    }

    /// <summary>Never prints the key.</summary>
    public override string ToString() => $"tables={TableEndpoint} queues={QueueEndpoint}";
}
