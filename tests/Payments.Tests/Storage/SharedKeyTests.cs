using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Payments.Core.Storage;

namespace Payments.Tests.Storage;

/// <summary>The Authorization headers the policies produce, against strings-to-sign written out here and
/// signed independently with the Azurite development key.</summary>
public class SharedKeyTests
{
    private const string DevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly DateTimeOffset FixedDate = new(2026, 11, 21, 6, 0, 0, TimeSpan.Zero);
    private const string FixedDateText = "Sat, 21 Nov 2026 06:00:00 GMT";

    private static StorageConnection Connection() => StorageConnection.Parse(
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevKey};" +
        "TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1");

    private static string Hmac(string stringToSign) =>
        Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(DevKey), Encoding.UTF8.GetBytes(stringToSign)));

    [Fact]
    public void Known_vector_of_the_dev_key()
    {
        // Guards the independent helper itself: a value computed once with openssl
        // (printf 'Sat, 21 Nov 2026 06:00:00 GMT\n/devstoreaccount1/devstoreaccount1/Tables' |
        //  openssl dgst -sha256 -mac HMAC -macopt hexkey:$(echo $KEY | base64 -d | xxd -p -c 256) -binary | base64)
        Assert.Equal("vhNYqLMX2/i9zygWCDSLoUurRW7tbPjGd6Un4ovnHns=", Hmac(FixedDateText + "\n/devstoreaccount1/devstoreaccount1/Tables"));
    }

    [Fact]
    public async Task Table_SharedKeyLite_signs_date_and_encoded_path()
    {
        var stub = new StubHandler(_ => StubHandler.Status(HttpStatusCode.OK, "{\"PartitionKey\":\"it's é\",\"RowKey\":\"r 1\"}"));
        var service = new TableServiceClient(Connection(), null, stub.Transport());
        service.SharedKeyPolicy!.Clock = () => FixedDate;
        await service.GetTableClient("orders").GetAsync("it's é", "r 1");

        var (request, _) = Assert.Single(stub.Requests);
        Assert.Equal("/devstoreaccount1/orders(PartitionKey='it%27%27s%20%C3%A9',RowKey='r%201')", request.RequestUri!.AbsolutePath);
        Assert.Equal(FixedDateText, request.Headers.GetValues("x-ms-date").Single());
        const string stringToSign = FixedDateText + "\n" +
            "/devstoreaccount1/devstoreaccount1/orders(PartitionKey='it%27%27s%20%C3%A9',RowKey='r%201')";
        Assert.Equal("SharedKeyLite devstoreaccount1:" + Hmac(stringToSign), request.Headers.Authorization!.ToString());
        Assert.Equal("2019-02-02", request.Headers.GetValues("x-ms-version").Single());
    }

    [Fact]
    public async Task Table_SharedKeyLite_for_create_table()
    {
        var stub = new StubHandler(_ => StubHandler.Status(HttpStatusCode.NoContent));
        var service = new TableServiceClient(Connection(), null, stub.Transport());
        service.SharedKeyPolicy!.Clock = () => FixedDate;
        await service.GetTableClient("orders").CreateIfNotExistsAsync();
        var (request, body) = Assert.Single(stub.Requests);
        Assert.Equal("{\"TableName\":\"orders\"}", Encoding.UTF8.GetString(body));
        Assert.Equal("SharedKeyLite devstoreaccount1:vhNYqLMX2/i9zygWCDSLoUurRW7tbPjGd6Un4ovnHns=", request.Headers.Authorization!.ToString());
    }

    [Fact]
    public async Task Date_is_fresh_on_every_try()
    {
        var calls = 0;
        var stub = new StubHandler(_ => ++calls < 3 ? StubHandler.Status(HttpStatusCode.ServiceUnavailable) : StubHandler.Status(HttpStatusCode.NoContent));
        var service = new TableServiceClient(Connection(), new StorageClientOptions { RetryDelay = TimeSpan.FromMilliseconds(1) }, stub.Transport());
        var tick = 0;
        service.SharedKeyPolicy!.Clock = () => FixedDate.AddSeconds(tick++);
        await service.GetTableClient("orders").CreateIfNotExistsAsync();
        Assert.Equal(3, stub.Requests.Count);
        var dates = stub.Requests.Select(r => r.Request.Headers.GetValues("x-ms-date").Single()).ToList();
        Assert.Equal(3, dates.Distinct().Count());
        for (var i = 0; i < 3; i++)
        {
            var date = FixedDate.AddSeconds(i).ToString("R", CultureInfo.InvariantCulture);
            Assert.Equal(date, dates[i]);
            Assert.Equal("SharedKeyLite devstoreaccount1:" + Hmac(date + "\n/devstoreaccount1/devstoreaccount1/Tables"),
                stub.Requests[i].Request.Headers.Authorization!.ToString());
        }
    }
}
