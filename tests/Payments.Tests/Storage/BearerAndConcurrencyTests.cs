using System.Net;
using Azure.Core;
using Azure.Data.Tables;
using Payments.Core.Storage;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Storage;

public class BearerAndConcurrencyTests
{
    private sealed class FakeCredential : TokenCredential
    {
        public List<string[]> Scopes { get; } = [];
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            lock (Scopes) Scopes.Add(requestContext.Scopes);
            return new AccessToken("token-123", DateTimeOffset.UtcNow.AddHours(1));
        }
        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(GetToken(requestContext, cancellationToken));
    }

    [Trait("Category", Category.Unit)]
    [Fact]
    public async Task Token_credential_sends_a_bearer_token_for_the_storage_scope()
    {
        var credential = new FakeCredential();
        var connection = new StorageConnection
        {
            TableEndpoint = new Uri("https://payacct.table.core.windows.net"),
            QueueEndpoint = new Uri("https://payacct.queue.core.windows.net"),
            Credential = credential,
        };
        var stub = new StubHandler(_ => StubHandler.Status(HttpStatusCode.NoContent));
        await StorageClients.CreateTableServiceClient(connection, transport: stub.Transport()).GetTableClient("orders").CreateIfNotExistsAsync();
        await StorageClients.CreateQueueServiceClient(connection, transport: stub.Transport()).GetQueueClient("refunds").CreateIfNotExistsAsync();

        Assert.Equal(2, stub.Requests.Count);
        Assert.All(stub.Requests, r => Assert.Equal("Bearer token-123", r.Request.Headers.Authorization!.ToString()));
        Assert.Equal("https://payacct.table.core.windows.net/Tables", stub.Requests[0].Request.RequestUri!.GetLeftPart(UriPartial.Path));
        Assert.Equal("https://payacct.queue.core.windows.net/refunds", stub.Requests[1].Request.RequestUri!.GetLeftPart(UriPartial.Path));
        Assert.All(credential.Scopes, s => Assert.Equal(["https://storage.azure.com/.default"], s));
    }

    [Trait("Category", Category.Storage)]
    [Fact]
    public async Task Many_concurrent_requests_on_one_client()
    {
        var (sent, table) = await StorageTestContext.NewTableAsync();
        var before = sent.Table;
        await Parallel.ForAsync(0, 300, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, ct) =>
        {
            var etag = await table.InsertAsync(new TableEntity("p" + (i % 7), "r" + i) { ["I"] = (long)i }, ct);
            var read = await table.GetOrNullAsync("p" + (i % 7), "r" + i, cancellationToken: ct);
            Assert.Equal(etag, read!.ETag);
            Assert.Equal(i, read.GetInt64("I"));
        });
        Assert.Equal(600, sent.Table - before);
        var all = await StorageTestContext.ToListAsync(table.QueryAsync<TableEntity>());
        Assert.Equal(300, all.Count);

        var (queues, queue) = await StorageTestContext.NewQueueAsync();
        await Parallel.ForAsync(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, ct) => await queue.SendMessageAsync("m" + i, cancellationToken: ct));
        var texts = new List<string>();
        while (true)
        {
            var got = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(1))).Value;
            if (got.Length == 0) break;
            texts.AddRange(got.Select(m => m.MessageText));
            await Task.WhenAll(got.Select(m => queue.DeleteMessageAsync(m.MessageId, m.PopReceipt)));
        }
        Assert.Equal(200, texts.Distinct().Count());
    }
}
