using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Azure;
using Azure.Data.Tables;
using Payments.Core.Storage;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Storage;

/// <summary>Retries through the pipeline, against a tiny Kestrel server that scripts the answers.</summary>
[Trait("Category", Category.Unit)]
public class RetryTests
{
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private sealed class ScriptedServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _tries;
        public int Tries => Volatile.Read(ref _tries);
        public Uri Endpoint { get; }

        private ScriptedServer(WebApplication app, Uri endpoint) { _app = app; Endpoint = endpoint; }

        public static async Task<ScriptedServer> StartAsync(Func<int, HttpContext, Task> answer)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            ScriptedServer? server = null;
            app.Run(async context =>
            {
                var n = Interlocked.Increment(ref server!._tries);
                Assert.StartsWith("SharedKey", context.Request.Headers.Authorization.ToString());
                await answer(n, context);
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            server = new ScriptedServer(app, new Uri(address.TrimEnd('/') + "/devstoreaccount1"));
            return server;
        }

        public StorageConnection Connection() => StorageConnection.Parse(
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};TableEndpoint={Endpoint};QueueEndpoint={Endpoint}");

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }

    private static readonly StorageClientOptions Fast = new() { RetryDelay = TimeSpan.FromMilliseconds(5), MaxRetryDelay = TimeSpan.FromMilliseconds(20), MaxRetries = 4 };

    private static Task Answer(HttpContext context, int status, string? code = null, string? body = null)
    {
        context.Response.StatusCode = status;
        if (code is not null) context.Response.Headers["x-ms-error-code"] = code;
        if (body is null) return Task.CompletedTask;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body);
    }

    [Theory]
    [InlineData(503)]
    [InlineData(500)]
    [InlineData(429)]
    [InlineData(408)]
    public async Task Transient_statuses_are_retried_until_success(int status)
    {
        await using var server = await ScriptedServer.StartAsync((n, ctx) => n <= 2
            ? Answer(ctx, status, "ServerBusy", "{\"odata.error\":{\"code\":\"ServerBusy\",\"message\":{\"value\":\"busy\"}}}")
            : Answer(ctx, 200, body: "{\"PartitionKey\":\"p\",\"RowKey\":\"r\",\"V\":7}"));
        var table = StorageClients.CreateTableServiceClient(server.Connection(), Fast).GetTableClient("orders");
        var entity = await table.GetOrNullAsync("p", "r");
        Assert.Equal(7, entity!.GetInt32("V"));
        Assert.Equal(3, server.Tries);
    }

    [Fact]
    public async Task Retries_give_up_after_max_retries_with_the_last_error()
    {
        await using var server = await ScriptedServer.StartAsync((_, ctx) =>
            Answer(ctx, 503, "ServerBusy", "{\"odata.error\":{\"code\":\"ServerBusy\",\"message\":{\"value\":\"busy\"}}}"));
        var sent = new StorageRoundTrips();
        var service = StorageClients.CreateTableServiceClient(server.Connection(), Fast, sent);
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => service.GetTableClient("orders").InsertAsync(new TableEntity("p", "r")));
        Assert.Equal(503, e.Status);
        Assert.Equal("ServerBusy", e.ErrorCode);
        Assert.Equal(5, server.Tries);
        Assert.Equal(5, sent.Table);
    }

    [Theory]
    [InlineData(409, "EntityAlreadyExists")]
    [InlineData(412, "UpdateConditionNotSatisfied")]
    [InlineData(400, "InvalidInput")]
    [InlineData(403, "AuthenticationFailed")]
    public async Task Client_errors_are_never_retried(int status, string code)
    {
        await using var server = await ScriptedServer.StartAsync((_, ctx) =>
            Answer(ctx, status, code, $"{{\"odata.error\":{{\"code\":\"{code}\",\"message\":{{\"value\":\"no\"}}}}}}"));
        var table = StorageClients.CreateTableServiceClient(server.Connection(), Fast).GetTableClient("orders");
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => table.InsertAsync(new TableEntity("p", "r")));
        Assert.Equal((status, code), (e.Status, e.ErrorCode));
        Assert.Equal(1, server.Tries);
        var r = await Assert.ThrowsAsync<RequestFailedException>(() => table.ReplaceAsync(new TableEntity("p", "r"), new ETag("W/\"x\"")));
        Assert.Equal(status, r.Status);
        Assert.Equal(2, server.Tries);
    }

    [Fact]
    public async Task Queue_requests_are_retried_too()
    {
        await using var server = await ScriptedServer.StartAsync((n, ctx) => n == 1
            ? Answer(ctx, 500, "OperationTimedOut")
            : Answer(ctx, 201));
        var service = StorageClients.CreateQueueServiceClient(server.Connection(), Fast);
        await service.GetQueueClient("refunds").CreateIfNotExistsAsync();
        Assert.Equal(2, server.Tries);
    }

    [Fact]
    public async Task Transport_errors_are_retried()
    {
        // A port nobody listens on: connection refused on every try.
        int port;
        using (var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0)) { l.Start(); port = ((IPEndPoint)l.LocalEndpoint).Port; }
        var connection = StorageConnection.Parse($"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};" +
            $"TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{port}/devstoreaccount1");
        var sent = new StorageRoundTrips();
        var service = StorageClients.CreateTableServiceClient(connection, new StorageClientOptions { RetryDelay = TimeSpan.FromMilliseconds(1), MaxRetryDelay = TimeSpan.FromMilliseconds(5), MaxRetries = 2 }, sent);
        await Assert.ThrowsAnyAsync<Exception>(() => service.GetTableClient("orders").GetOrNullAsync("p", "r"));
        Assert.Equal(3, sent.Table);
    }
}
