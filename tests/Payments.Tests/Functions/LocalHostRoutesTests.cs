using System.Net;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Payments.Tests.Consistency;
using Payments.Tests.EndToEnd;
using Payments.StandIns.Gsp;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Functions;

/// <summary>The local host (what scripts/run-local.sh runs) serves exactly the HTTP functions of the
/// published functions.metadata, with their methods and key checks.</summary>
[Trait("Category", Category.EndToEnd)]
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
        keyed.Headers.Add("x-internal-key", LocalHostUnderTest.InternalKey);
        using var keyedResponse = await Host.Http.SendAsync(keyed);
        Assert.Equal(HttpStatusCode.OK, keyedResponse.StatusCode);
        using var unkeyed = await Host.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "internal/operations/needs-attention"));
        Assert.Equal(HttpStatusCode.Unauthorized, unkeyed.StatusCode);

        using var options = await Host.Http.SendAsync(new HttpRequestMessage(HttpMethod.Options, "health"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, options.StatusCode);
        Assert.Equal(["GET", "HEAD"], options.Content.Headers.Allow.Order(StringComparer.Ordinal));
    }

    /// <summary>As in the Worker: a Functions host key (here even one equal to the app key, in the header and
    /// the query) opens no internal route; the app key in <c>x-internal-key</c> opens each.</summary>
    [Fact]
    public async Task A_functions_host_key_alone_opens_no_internal_route_and_the_app_key_opens_each()
    {
        var keyed = Payments.LocalHost.Functions.FunctionCatalog.Discover()
            .Select(f => f.Trigger).OfType<Payments.LocalHost.Functions.HttpFunctionTrigger>()
            .Where(t => t.AuthorizationLevel != Microsoft.Azure.Functions.Worker.AuthorizationLevel.Anonymous)
            .ToList();
        Assert.Equal(8, keyed.Count); // the payment report, the operations (3), the remittance statements (4)
        var key = LocalHostUnderTest.InternalKey;
        foreach (var trigger in keyed)
        {
            var path = "/" + System.Text.RegularExpressions.Regex.Replace(trigger.Route, @"\{(\w+)[^}]*\}",
                m => m.Groups[1].Value == "paymentIntegratorAccountId" ? GspRequests.Usd : "R1234567890");
            foreach (var method in trigger.Methods)
            {
                var hostKeyOnly = await SendAsync(method, path + "?code=" + Uri.EscapeDataString(key), ("x-functions-key", key));
                Assert.True(hostKeyOnly is 401 or 403, $"{method} {path} with a host key only: {hostKeyOnly}");
                var wrong = await SendAsync(method, path, ("x-internal-key", key + "x"));
                Assert.True(wrong is 401 or 403, $"{method} {path} with a wrong app key: {wrong}");
                var opened = await SendAsync(method, path, ("x-internal-key", key));
                Assert.True(opened is not (401 or 403) and < 500, $"{method} {path} with the app key: {opened}");
            }
        }

        async Task<int> SendAsync(string method, string path, params (string Name, string Value)[] headers)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), path);
            if (request.Method == HttpMethod.Post)
                request.Content = new StringContent($$"""{"paymentIntegratorAccountId":"{{GspRequests.Usd}}","paymentIntegratorTransactionId":"T1","paidAtEpochMillis":"1000"}""",
                    System.Text.Encoding.UTF8, "application/json");
            foreach (var (name, value) in headers) request.Headers.Add(name, value);
            using var response = await Host.Http.SendAsync(request);
            return (int)response.StatusCode;
        }
    }
}
