using System.Text.Json;
using System.Text.Json.Serialization;

namespace Payments.Core.Idempotency;

/// <summary>The queue message: which operation to work on. Ids only, never amounts or secrets.</summary>
public sealed record WorkItem(
    [property: JsonPropertyName("p")] string Partition,
    [property: JsonPropertyName("r")] string Row)
{
    public string ToJson() => JsonSerializer.Serialize(this, WorkItemJsonContext.Default.WorkItem);

    public static WorkItem Parse(string json) =>
        JsonSerializer.Deserialize(json, WorkItemJsonContext.Default.WorkItem) is { Partition.Length: > 0, Row.Length: > 0 } item
            ? item
            : throw new FormatException("queue message is not a work item");
}

[JsonSerializable(typeof(WorkItem))]
internal sealed partial class WorkItemJsonContext : JsonSerializerContext;
