using System.Net;
using Payments.Core.Storage;

namespace Payments.Tests.Storage;

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
        var table = new TableServiceClient(connection, null, stub.Transport()).GetTableClient("orders");
        var entities = await TableClientTests.ToListAsync(table.QueryAsync("PartitionKey eq 'p'", pageSize: 5));

        Assert.Equal(["a", "b"], entities.Select(e => e.RowKey));
        Assert.Equal("W/\"1\"", entities[0].ETag);
        Assert.Equal(3, stub.Requests.Count);
        var queries = stub.Requests.Select(r => Uri.UnescapeDataString(r.Request.RequestUri!.Query)).ToList();
        Assert.Equal("?$filter=PartitionKey eq 'p'&$top=5", queries[0]);
        Assert.Equal("?$filter=PartitionKey eq 'p'&$top=5&NextPartitionKey=1!4!cA--&NextRowKey=1!4!1a--", queries[1]);
        Assert.Equal("?$filter=PartitionKey eq 'p'&$top=5&NextPartitionKey=1!4!cA--&NextRowKey=1!4!2a--", queries[2]);
        Assert.All(stub.Requests, r => Assert.Equal("/devstoreaccount1/orders()", r.Request.RequestUri!.AbsolutePath));
    }
}
