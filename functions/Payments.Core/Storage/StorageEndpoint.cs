using Azure.Core;
using Azure.Core.Pipeline;

namespace Payments.Core.Storage;

/// <summary>Where a service client sends its requests: the endpoint's parts, taken apart once, and
/// the request every Table and Queue call starts from.</summary>
internal sealed class StorageEndpoint(Uri endpoint)
{
    /// <summary>The REST version every request asks for.</summary>
    public const string Version = "2019-02-02";

    private readonly string _scheme = endpoint.Scheme;
    private readonly string _host = endpoint.Host;
    private readonly int _port = endpoint.Port;

    /// <summary>Endpoint path without a trailing slash ("" on Azure, "/devstoreaccount1" on Azurite).</summary>
    public string BasePath { get; } = endpoint.AbsolutePath.TrimEnd('/');

    public HttpMessage CreateMessage(HttpPipeline pipeline, RequestMethod method, string path, string? query)
    {
        var message = pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        var uri = request.Uri;
        uri.Scheme = _scheme;
        uri.Host = _host;
        uri.Port = _port;
        uri.Path = path;
        if (query is not null) uri.Query = query;
        request.Headers.SetValue("x-ms-version", Version);
        return message;
    }
}
