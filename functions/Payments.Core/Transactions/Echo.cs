using System.Text.Json.Serialization.Metadata;
using Payments.Core.Protocol;

namespace Payments.Core.Transactions;

/// <summary>echo, in every family: Google's connectivity and message-security probe. No state.</summary>
internal sealed class EchoHandler(ProtocolMethod method) : ProtocolHandler<EchoRequest>
{
    public override ProtocolMethod Method => method;
    public override bool IsMutating => false;
    protected override JsonTypeInfo<EchoRequest> TypeInfo => ProtocolJsonContext.Default.EchoRequest;

    protected override void CollectMissing(EchoRequest r, List<string> missing)
    {
        if (r.ClientMessage is null) missing.Add("clientMessage");
    }

    protected override Task<string> ExecuteAsync(ProtocolCall call, EchoRequest r, CancellationToken cancellationToken) =>
        Task.FromResult(ResponseWriter.Payload(w =>
        {
            w.WriteString("clientMessage", r.ClientMessage);
            w.WriteString("serverMessage", "echo from the payment integrator");
        }));
}
