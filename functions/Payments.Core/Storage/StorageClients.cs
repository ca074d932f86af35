using System.Net;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Payments.Core.Storage;

/// <summary>Builds the SDK clients from the app's storage connection, with our retry settings, the
/// round-trip metrics policy and the queue message encoding host.json asks for.</summary>
public static partial class StorageClients
{
    /// <param name="transport">null: our pooled handler (tests pass a stub)</param>
    /// <param name="roundTrips">where its round trips are counted (null: not counted)</param>
    public static TableServiceClient CreateTableServiceClient(StorageConnection connection, StorageClientOptions? options = null,
        StorageRoundTrips? roundTrips = null, HttpPipelineTransport? transport = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        options ??= new StorageClientOptions();
        var clientOptions = new TableClientOptions();
        Configure(clientOptions, options, roundTrips?.PolicyFor(StorageService.Table), transport);
        return connection.AccountKey is { } key
            ? new TableServiceClient(connection.TableEndpoint, new TableSharedKeyCredential(connection.AccountName!, key), clientOptions)
            : new TableServiceClient(connection.TableEndpoint, connection.Credential!, clientOptions);
    }

    /// <param name="transport">null: our pooled handler (tests pass a stub)</param>
    /// <remarks>A received message the encoding cannot decode (a producer that did not base64 it) is
    /// copied as it is to <c>{queue}-poison</c> and deleted, as the Functions host does: without that, the SDK
    /// throws on every receive that meets it and the queue stops moving.</remarks>
    public static QueueServiceClient CreateQueueServiceClient(StorageConnection connection, StorageClientOptions? options = null,
        StorageRoundTrips? roundTrips = null, HttpPipelineTransport? transport = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        options ??= new StorageClientOptions();
        logger ??= NullLogger.Instance;
        var clientOptions = new QueueClientOptions { MessageEncoding = options.MessageEncoding };
        Configure(clientOptions, options, roundTrips?.PolicyFor(StorageService.Queue), transport);
        QueueServiceClient? service = null;
        clientOptions.MessageDecodingFailed += async args =>
        {
            if (args.ReceivedMessage is not { } message) return; // a peek: nothing to move
            var poison = service!.GetQueueClient(args.Queue.Name + "-poison");
            if (args.IsRunningSynchronously)
            {
                poison.CreateIfNotExists();
                poison.SendMessage(message.Body);
                args.Queue.DeleteMessage(message.MessageId, message.PopReceipt);
            }
            else
            {
                await poison.CreateIfNotExistsAsync(cancellationToken: args.CancellationToken).ConfigureAwait(false);
                await poison.SendMessageAsync(message.Body, cancellationToken: args.CancellationToken).ConfigureAwait(false);
                await args.Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, args.CancellationToken).ConfigureAwait(false);
            }
            LogUndecodable(logger, args.Queue.Name, message.MessageId, poison.Name);
        };
        service = connection.AccountKey is { } key
            ? new QueueServiceClient(connection.QueueEndpoint, new StorageSharedKeyCredential(connection.AccountName!, key), clientOptions)
            : new QueueServiceClient(connection.QueueEndpoint, connection.Credential!, clientOptions);
        return service;
    }

    [LoggerMessage(EventId = 4320, Level = LogLevel.Error, Message = "Queue {QueueName} message {MessageId} is not in the configured encoding; moved to {PoisonQueue} as it is")]
    private static partial void LogUndecodable(ILogger logger, string queueName, string messageId, string poisonQueue);

    /// <summary>The settings docs/storage.md relies on (worst-case storage time): explicit, not the SDK's defaults.</summary>
    private static void Configure(ClientOptions clientOptions, StorageClientOptions options, HttpPipelinePolicy? roundTrips, HttpPipelineTransport? transport)
    {
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.MaxRetries = Math.Max(0, options.MaxRetries);
        clientOptions.Retry.Delay = options.RetryDelay;
        clientOptions.Retry.MaxDelay = options.MaxRetryDelay < options.RetryDelay ? options.RetryDelay : options.MaxRetryDelay;
        clientOptions.Retry.NetworkTimeout = options.NetworkTimeout;
        clientOptions.Transport = transport ?? CreateTransport(options);
        if (roundTrips is not null) clientOptions.AddPolicy(roundTrips, HttpPipelinePosition.PerRetry);
    }

    /// <summary>One pooled handler per service client.</summary>
    private static HttpClientTransport CreateTransport(StorageClientOptions options) =>
        // The per-try timeout is Azure.Core's NetworkTimeout; the HttpClient's own must not cut in first.
        new(new HttpClient(CreateHandler(options), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan });

    /// <summary>The connection settings of the storage clients' transport (the storage benchmark's bare
    /// client uses the same): storage is reached directly (no proxy lookup), nothing decompressed or redirected.</summary>
    internal static SocketsHttpHandler CreateHandler(StorageClientOptions options) =>
        new()
        {
            MaxConnectionsPerServer = Math.Max(2, options.MaxConnectionsPerServer),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
            AllowAutoRedirect = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
}
