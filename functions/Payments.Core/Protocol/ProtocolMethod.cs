namespace Payments.Core.Protocol;

/// <summary>One integrator-hosted method: <c>POST /{Api}-v{Version}/{Name}</c>.</summary>
public sealed record ProtocolMethod(string Api, int Version, string Name)
{
    public string Route => $"{Api}-v{Version}/{Name}";
    public HeaderStyle Style => Api == ProtocolApis.RefundableOneTimePaymentCode && Version == 2 ? HeaderStyle.V2 : HeaderStyle.V1;
    public override string ToString() => Route;
}
