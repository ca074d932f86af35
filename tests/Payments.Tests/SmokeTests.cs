using Payments.Core.Protocol;
using Payments.Tests.TestSupport;

namespace Payments.Tests;

[Trait("Category", Category.Unit)]
public class ProtocolMethodTests
{
    [Fact]
    public void Routes_are_unique_and_follow_the_api_version_method_shape()
    {
        var routes = ProtocolMethods.All.Select(m => m.Route).ToList();
        Assert.Equal(routes.Count, routes.Distinct().Count());
        Assert.Contains("refundable-one-time-payment-code-v2/cancelReferenceNumber", routes);
        Assert.Equal(HeaderStyle.V2, ProtocolMethods.CancelReferenceNumberV2.Style);
        Assert.Equal(HeaderStyle.V1, ProtocolMethods.AsynchronousRefundV1.Style);
    }
}
