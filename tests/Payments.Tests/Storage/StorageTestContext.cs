using Azure.Storage.Queues;
using Payments.Core.Storage;
using Payments.StandIns.Azurite;

namespace Payments.Tests.Storage;

/// <summary>Clients on the shared Azurite with unique names per test.</summary>
internal static class StorageTestContext
{
    internal static async Task<StorageConnection> ConnectionAsync()
    {
        var azurite = await AzuriteProcess.SharedAsync();
        return StorageConnection.Parse(azurite.ConnectionString);
    }

    internal static async Task<(TableServiceClient Service, TableClient Table)> NewTableAsync()
    {
        var service = new TableServiceClient(await ConnectionAsync());
        var table = service.GetTableClient("t" + Guid.NewGuid().ToString("N"));
        await table.CreateIfNotExistsAsync();
        return (service, table);
    }

    internal static async Task<(QueueServiceClient Service, QueueClient Queue)> NewQueueAsync(QueueMessageEncoding encoding = QueueMessageEncoding.Base64)
    {
        var service = StorageClients.CreateQueueServiceClient(await ConnectionAsync(), new StorageClientOptions { MessageEncoding = encoding });
        var queue = service.GetQueueClient("q-" + Guid.NewGuid().ToString("N"));
        await queue.CreateIfNotExistsAsync();
        return (service, queue);
    }
}
