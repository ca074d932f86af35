using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Payments.Core.Hosting;

/// <summary>A status with an optional body, written straight to the response: works the same under
/// the Functions host's ASP.NET Core integration and the local host, needs no MVC services.</summary>
public sealed class HttpBodyResult(int status, byte[]? body = null, string? contentType = null) : IActionResult
{
    public int Status { get; } = status;
    public byte[]? Body { get; } = body;
    public string? ContentType { get; } = contentType;

    public Task ExecuteResultAsync(ActionContext context) => WriteAsync(context.HttpContext);

    public async Task WriteAsync(HttpContext http)
    {
        http.Response.StatusCode = Status;
        if (Body is null) { http.Response.ContentLength = 0; return; }
        http.Response.ContentType = ContentType;
        http.Response.ContentLength = Body.Length;
        await http.Response.Body.WriteAsync(Body, http.RequestAborted);
    }

    public static HttpBodyResult Json(int status, byte[] json) => new(status, json, "application/json; charset=utf-8");
}
