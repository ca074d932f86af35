using System.Net;
using Azure.Data.Tables;
using Payments.Core.Storage;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Storage;

[Trait("Category", Category.Unit)]
public class PagingTests
{
    [Fact]
    public async Task Empty_page_with_a_continuation_is_followed_with_the_same_filter()
    {
        var page = 0;
        var stub = new StubHandler(_ =>
        {
            page++;
            var response = StubHandler.Status(HttpStatusCode.OK, page switch
            {
                1 => "{\"value\":[]}",
                2 => "{\"value\":[{\"PartitionKey\":\"p\",\"RowKey\":\"a\",\"odata.etag\":\"W/\\\"1\\\"\"}]}",
                _ => "{\"value\":[{\"PartitionKey\":\"p\",\"RowKey\":\"b\"}]}",
            });
            if (page < 3)
            {
                response.Headers.TryAddWithoutValidation("x-ms-continuation-NextPartitionKey", "1!4!cA--");
                response.Headers.TryAddWithoutValidation("x-ms-continuation-NextRowKey", $"1!4!{page}a--");
            }
            return response;
        });
        var connection = StorageConnection.Parse("UseDevelopmentStorage=true");
        var table = StorageClients.CreateTableServiceClient(connection, transport: stub.Transport()).GetTableClient("orders");
        var entities = await StorageTestContext.ToListAsync(table.QueryAsync<TableEntity>("PartitionKey eq 'p'", maxPerPage: 5));

        Assert.Equal(["a", "b"], entities.Select(e => e.RowKey));
        Assert.Equal("W/\"1\"", entities[0].ETag.ToString());
        Assert.Equal(3, stub.Requests.Count);
        var queries = stub.Requests.Select(r => Uri.UnescapeDataString(r.Request.RequestUri!.Query).TrimStart('?').Split('&')
            .Where(p => !p.StartsWith("$format=", StringComparison.Ordinal)).ToList()).ToList();
        Assert.Equal(["$filter=PartitionKey eq 'p'", "$top=5"], queries[0].Order(StringComparer.Ordinal));
        Assert.Equal(["$filter=PartitionKey eq 'p'", "$top=5", "NextPartitionKey=1!4!cA--", "NextRowKey=1!4!1a--"], queries[1].Order(StringComparer.Ordinal));
        Assert.Equal(["$filter=PartitionKey eq 'p'", "$top=5", "NextPartitionKey=1!4!cA--", "NextRowKey=1!4!2a--"], queries[2].Order(StringComparer.Ordinal));
        Assert.All(stub.Requests, r => Assert.Equal("/devstoreaccount1/orders()", r.Request.RequestUri!.AbsolutePath));
    }
}
