using System.Globalization;
using System.Text.Json;
using Azure.Storage.Queues;

namespace Payments.LocalHost.Queues;

/// <summary>
/// The queue trigger settings of host.json (<c>extensions.queues</c>), read by the local host exactly as the Functions
/// host reads them. Absent values take the Functions host's defaults.
/// </summary>
public sealed record HostJsonQueueOptions
{
    /// <summary>Messages taken per get (1..32). Default 16.</summary>
    public int BatchSize { get; init; } = 16;
    /// <summary>A new batch is fetched when the messages being processed drop to this number. Default BatchSize / 2.</summary>
    public int NewBatchThreshold { get; init; } = 8;
    /// <summary>Longest wait between polls of an empty queue. Default 1 minute.</summary>
    public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromMinutes(1);
    /// <summary>A message whose processing failed this many times goes to <c>{queue}-poison</c>. Default 5.</summary>
    public int MaxDequeueCount { get; init; } = 5;
    /// <summary>How long a failed message stays invisible before it is retried. Default 0.</summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.Zero;
    /// <summary>Encoding of message text on the queue. Default base64.</summary>
    public QueueMessageEncoding MessageEncoding { get; init; } = QueueMessageEncoding.Base64;

    /// <summary>Most messages processed at once: <c>BatchSize + NewBatchThreshold</c>.</summary>
    public int MaxConcurrency => BatchSize + NewBatchThreshold;

    /// <summary>Reads host.json text; throws <see cref="FormatException"/> naming the bad value.</summary>
    public static HostJsonQueueOptions Parse(string hostJson)
    {
        using var document = JsonDocument.Parse(hostJson, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var options = new HostJsonQueueOptions();
        if (!document.RootElement.TryGetProperty("extensions", out var extensions) || extensions.ValueKind != JsonValueKind.Object
            || !TryGet(extensions, "queues", out var queues) || queues.ValueKind != JsonValueKind.Object)
            return options;

        var batchSize = TryGet(queues, "batchSize", out var b) ? Int(b, "batchSize", 1, 32) : options.BatchSize;
        var threshold = TryGet(queues, "newBatchThreshold", out var t) ? Int(t, "newBatchThreshold", 0, 1000) : batchSize / 2;
        return options with
        {
            BatchSize = batchSize,
            NewBatchThreshold = threshold,
            MaxPollingInterval = TryGet(queues, "maxPollingInterval", out var p) ? Time(p, "maxPollingInterval", TimeSpan.FromMilliseconds(100)) : options.MaxPollingInterval,
            MaxDequeueCount = TryGet(queues, "maxDequeueCount", out var d) ? Int(d, "maxDequeueCount", 1, 1000) : options.MaxDequeueCount,
            VisibilityTimeout = TryGet(queues, "visibilityTimeout", out var v) ? Time(v, "visibilityTimeout", TimeSpan.Zero) : options.VisibilityTimeout,
            MessageEncoding = TryGet(queues, "messageEncoding", out var e) ? Encoding(e) : options.MessageEncoding,
        };
    }

    /// <summary>Reads <paramref name="path"/>, or host.json next to the app (it is copied to the output), or the first
    /// host.json found walking up from the current directory.</summary>
    public static HostJsonQueueOptions Load(string? path = null)
    {
        path ??= FindHostJson() ?? throw new FileNotFoundException("host.json was not found next to the app or above the current directory.");
        return Parse(File.ReadAllText(path));
    }

    private static string? FindHostJson()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "host.json");
        if (File.Exists(beside)) return beside;
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "host.json");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    // host.json property names are case-insensitive for the Functions host.
    private static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }
        value = default;
        return false;
    }

    private static int Int(JsonElement value, string name, int min, int max)
    {
        int n;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out n)) { }
        else if (value.ValueKind == JsonValueKind.String && int.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out n)) { }
        else throw new FormatException($"host.json extensions.queues.{name} must be an integer.");
        if (n < min || n > max) throw new FormatException($"host.json extensions.queues.{name} must be between {min} and {max}.");
        return n;
    }

    private static TimeSpan Time(JsonElement value, string name, TimeSpan min)
    {
        if (value.ValueKind != JsonValueKind.String || !TimeSpan.TryParse(value.GetString(), CultureInfo.InvariantCulture, out var span) || span < min)
            throw new FormatException($"host.json extensions.queues.{name} must be a time span \"hh:mm:ss\" of at least {min}.");
        return span;
    }

    private static QueueMessageEncoding Encoding(JsonElement value) => value.GetString()?.Trim().ToLowerInvariant() switch
    {
        "base64" => QueueMessageEncoding.Base64,
        "none" => QueueMessageEncoding.None,
        _ => throw new FormatException("host.json extensions.queues.messageEncoding must be \"base64\" or \"none\"."),
    };
}
