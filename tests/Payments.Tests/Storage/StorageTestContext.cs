using Azure.Data.Tables;
using Azure.Storage.Queues;
using Payments.Core.Storage;
using Payments.StandIns.Azurite;

namespace Payments.Tests.Storage;

/// <summary>Clients on the shared Azurite with unique names per test, each service client counting its own round trips.</summary>
internal static class StorageTestContext
{
    internal static async Task<StorageConnection> ConnectionAsync()
    {
        var azurite = await AzuriteProcess.SharedAsync();
        return StorageConnection.Parse(azurite.ConnectionString);
    }

    /// <summary>A fresh Storage:NamePrefix: the app's tables and queues of its own on the shared Azurite.</summary>
    internal static string NewPrefix() => "t" + Guid.NewGuid().ToString("N")[..12];

    internal static async Task<(StorageRoundTrips Sent, TableClient Table)> NewTableAsync()
    {
        var sent = new StorageRoundTrips();
        var service = StorageClients.CreateTableServiceClient(await ConnectionAsync(), roundTrips: sent);
        var table = service.GetTableClient("t" + Guid.NewGuid().ToString("N"));
        await table.CreateIfNotExistsAsync();
        return (sent, table);
    }

    internal static async Task<(StorageRoundTrips Sent, QueueClient Queue)> NewQueueAsync(QueueMessageEncoding encoding = QueueMessageEncoding.Base64)
    {
        var sent = new StorageRoundTrips();
        var service = StorageClients.CreateQueueServiceClient(await ConnectionAsync(), new StorageClientOptions { MessageEncoding = encoding }, sent);
        var queue = service.GetQueueClient("q-" + Guid.NewGuid().ToString("N"));
        await queue.CreateIfNotExistsAsync();
        return (sent, queue);
    }

    internal static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source) list.Add(item);
        return list;
    }
}
