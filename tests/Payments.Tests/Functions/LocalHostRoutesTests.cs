using System.Net;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Payments.Tests.Consistency;
using Payments.Tests.EndToEnd;

namespace Payments.Tests.Functions;

/// <summary>The local host (what scripts/run-local.sh runs) serves exactly the HTTP functions of the
/// published functions.metadata, with their methods and key checks.</summary>
public sealed class LocalHostRoutesTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private LocalHostUnderTest Host => fixture.Host;

    [Fact]
    public void The_local_host_serves_exactly_the_http_functions_of_functions_metadata()
    {
        var published = PublishedApp.Metadata()
            .Select(f => (Function: f, Trigger: PublishedApp.Trigger(f)))
            .Where(f => f.Trigger["type"]!.GetValue<string>() == "httpTrigger")
            .Select(f => $"{string.Join(",", f.Trigger["methods"]!.AsArray().Select(m => m!.GetValue<string>().ToUpperInvariant()).Order(StringComparer.Ordinal))} /{f.Trigger["route"]}")
            .Order(StringComparer.Ordinal).ToList();
        var served = Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => $"{string.Join(",", (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"]).Order(StringComparer.Ordinal))} /{e.RoutePattern.RawText!.TrimStart('/')}")
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(published, served);
    }

    [Fact]
    public async Task Head_is_answered_wherever_get_is_served_and_other_methods_get_405_with_Allow()
    {
        using var head = await Host.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "health"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        using var keyed = new HttpRequestMessage(HttpMethod.Head, "internal/operations/needs-attention");
        keyed.Headers.Add("x-functions-key", LocalHostUnderTest.InternalKey);
        using var keyedResponse = await Host.Http.SendAsync(keyed);
        Assert.Equal(HttpStatusCode.OK, keyedResponse.StatusCode);
        using var unkeyed = await Host.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "internal/operations/needs-attention"));
        Assert.Equal(HttpStatusCode.Unauthorized, unkeyed.StatusCode);

        using var options = await Host.Http.SendAsync(new HttpRequestMessage(HttpMethod.Options, "health"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, options.StatusCode);
        Assert.Equal(["GET", "HEAD"], options.Content.Headers.Allow.Order(StringComparer.Ordinal));
    }
}
