using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Payments.Core.Protocol;

/// <summary>One protocol method's logic. The processor does everything common (strict parsing, the
/// header rules, the PIAID check); a handler adds its required fields, field rules and the effect.</summary>
public interface IProtocolHandler
{
    ProtocolMethod Method { get; }
    /// <summary>Whether calls change state (and so go through the idempotency ledger).</summary>
    bool IsMutating { get; }
    ProtocolRequest Deserialize(JsonElement root);
    /// <summary>The request's wire type: which fields accept two forms (see <see cref="StrictJson.Fingerprint"/>).</summary>
    JsonTypeInfo RequestType { get; }
    void CollectMissing(ProtocolRequest request, List<string> missing);
    /// <summary>Applies the method's field rules to a request whose required fields are all present.</summary>
    /// <returns>the validated request: what <see cref="ExecuteAsync"/> acts on.</returns>
    object Validate(ProtocolRequest request);
    /// <returns>the response payload: a JSON object without <c>responseHeader</c>.</returns>
    Task<string> ExecuteAsync(ProtocolCall call, CancellationToken cancellationToken);
}
