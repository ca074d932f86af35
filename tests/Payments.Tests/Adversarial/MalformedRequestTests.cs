using System.Net.Sockets;
using System.Text;
using Payments.Tests.EndToEnd;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Adversarial;

/// <summary>Requests written byte by byte over a socket, as no HTTP client would send them: keys
/// percent-encoded in every way, and bodies and heads whose framing is malformed.</summary>
[Collection(AdversarialCollection.Name)]
[Trait("Category", Category.EndToEnd)]
public sealed class MalformedRequestTests(AdversarialHost fixture)
{
    private LocalHostUnderTest Host => fixture.Host;

    /// <summary>A value of the <c>code</c> parameter that is not the key: still masked, as the parameter's value.</summary>
    private const string WrongKey = "not-the-key-but-a-code-value";

    [Fact]
    public async Task A_key_percent_encoded_in_the_query_or_the_path_never_reaches_the_log()
    {
        var key = LocalHostUnderTest.InternalKey;
        var paths = new List<string>();
        foreach (var encoded in LogRedactorTests.Encodings(key).Distinct())
        {
            paths.Add($"/health?%63ode={encoded}");
            paths.Add($"/internal/operations/needs-attention?x=1&C%4FDE={encoded}");
            paths.Add($"/internal/operations/InvisiCashUSA_USD/{encoded}?%63%6f%64%65={encoded}");
        }
        foreach (var name in new[] { "%63ode", "C%4FDE", "%63%6f%64%65", "%2563ode", "%43%4F%44%45" })
            paths.Add($"/health?{name}={WrongKey}&x=1");

        foreach (var path in paths)
        {
            var answer = await SendAsync($"GET {path} HTTP/1.1\r\nHost: {Host.BaseAddress.Authority}\r\nConnection: close\r\n\r\n");
            Assert.False(answer.StartsWith("HTTP/1.1 5", StringComparison.Ordinal), $"{path}: {answer}");
        }
        // Request lines Kestrel refuses (no HTTP version), and quotes in its exception.
        foreach (var target in new[] { $"/health?%63ode={LogRedactorTests.Encodings(key).First()}", $"/health?x={key}" })
            Assert.StartsWith("HTTP/1.1 400", await SendAsync($"GET {target}\r\nHost: {Host.BaseAddress.Authority}\r\n\r\n"));
        // The host decodes the parameter's name and value, but a key in the query opens nothing internal
        // (the app's key is a header): the key fully encoded under an encoded name is refused, and not logged.
        var fully = string.Concat(Encoding.UTF8.GetBytes(key).Select(b => $"%{b:X2}"));
        Assert.StartsWith("HTTP/1.1 401", await SendAsync(
            $"GET /internal/operations/needs-attention?%63ode={fully} HTTP/1.1\r\nHost: {Host.BaseAddress.Authority}\r\nConnection: close\r\n\r\n"));

        // The request lines were written, with the values masked.
        Assert.Contains(Host.Logs.GetSnapshot(), m => m.Message.Contains("Request starting", StringComparison.Ordinal) && m.Message.Contains("%63ode=***", StringComparison.Ordinal));
        // Each line with its exception, if it has one.
        var leaks = Host.Logs.Lines()
            .Where(l => LogRedactorTests.Decodings(l).Any(d => d.Contains(key, StringComparison.Ordinal) || d.Contains(WrongKey, StringComparison.Ordinal)))
            .Select(fixture.LogSafe)
            .ToList();
        Assert.True(leaks.Count == 0, string.Join("\n", leaks.Take(10)));
    }

    /// <summary>Chunked bodies whose framing is broken, sent to routes that read their body.</summary>
    public static TheoryData<string> BadChunkedBodies => new()
    {
        "FFFFFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n",   // a chunk size over 64 bits
        "10000000000000000\r\nabc\r\n0\r\n\r\n",    // 2^64
        "7FFFFFFFFFFFFFFF\r\nabc",                  // fits 64 bits, far over any limit
        "zz\r\nabc\r\n0\r\n\r\n",
        "-1\r\nabc\r\n0\r\n\r\n",
        "3\r\nabcXY0\r\n\r\n",                      // no CRLF after the chunk's data
        "3;" + new string('e', 20_000) + "\r\nabc\r\n0\r\n\r\n",
    };

    [Fact]
    public async Task Malformed_framing_is_answered_4xx_and_logged_as_the_clients_fault_without_a_stack_trace()
    {
        var before = Host.Logs.Lines().Count;
        var failures = new List<string>();
        var authority = Host.BaseAddress.Authority;
        foreach (var path in new[] { "/refundable-one-time-payment-code-v1/echo", "/internal/reference-numbers/1234567890123456/payment" })
        {
            foreach (var body in BadChunkedBodies)
            {
                var head = $"POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\n"
                    + $"x-internal-key: {LocalHostUnderTest.InternalKey}\r\nTransfer-Encoding: chunked\r\n\r\n";
                var answer = await SendAsync(head + body);
                if (!answer.StartsWith("HTTP/1.1 4", StringComparison.Ordinal)) failures.Add($"{path} {Shown(body)}: {Shown(answer)}");
            }
        }
        // Malformed heads (Kestrel answers these itself), and bodies on routes that do not read theirs.
        foreach (var request in new[]
        {
            $"GET /{new string('a', 10_000)} HTTP/1.1\r\nHost: {authority}\r\n\r\n",
            $"GET /health HTTP/1.1\r\nHost: {authority}\r\nX-Big: {new string('b', 40_000)}\r\n\r\n",
            $"GET /health HTTP/1.1\r\nHost: {authority}\r\n{string.Concat(Enumerable.Range(0, 150).Select(i => $"X-{i}: v\r\n"))}\r\n",
            $"GET /he\u0001alth HTTP/1.1\r\nHost: {authority}\r\n\r\n",
            $"POST /refundable-one-time-payment-code-v1/echo HTTP/1.1\r\nHost: {authority}\r\nContent-Length: -1\r\n\r\n",
            $"POST /refundable-one-time-payment-code-v1/echo HTTP/1.1\r\nHost: {authority}\r\nContent-Length: 99999999999999999999999\r\n\r\n",
            $"POST /refundable-one-time-payment-code-v1/echo HTTP/1.1\r\nHost: {authority}\r\nTransfer-Encoding: gzip\r\n\r\nabc",
            $"POST /refundable-one-time-payment-code-v1/echo HTTP/1.1\r\nHost: {authority}\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc",
            $"GET /health HTTP/1.1\r\nHost: {authority}\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n",
            $"GET /nowhere HTTP/1.1\r\nHost: {authority}\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n",
            $"POST /internal/reference-numbers/1/payment HTTP/1.1\r\nHost: {authority}\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n",
        })
        {
            var answer = await SendAsync(request);
            if (answer.StartsWith("HTTP/1.1 5", StringComparison.Ordinal)) failures.Add($"{Shown(request)}: {Shown(answer)}");
        }

        await Task.Delay(500);
        var lines = Host.Logs.Lines().Skip(before).ToList();
        var serious = lines
            .Where(l => l.StartsWith("Warning ", StringComparison.Ordinal) || l.StartsWith("Error ", StringComparison.Ordinal) || l.StartsWith("Critical ", StringComparison.Ordinal))
            .Where(l => l.Contains(" Microsoft.AspNetCore", StringComparison.Ordinal) || l.Contains("Endpoint", StringComparison.Ordinal)
                || l.Contains("BadHttpRequest", StringComparison.Ordinal) || l.Contains("IOException", StringComparison.Ordinal) || l.Contains("chunk", StringComparison.OrdinalIgnoreCase))
            .ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious.Take(5).Select(Shown)));
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        // Those the app read the body of are logged as the client's fault.
        Assert.Contains(lines, l => l.StartsWith("Information ", StringComparison.Ordinal) && l.Contains("the client did not send its body", StringComparison.Ordinal) && !l.Contains(" | ", StringComparison.Ordinal));
    }

    /// <summary>Writes the request and reads the answer's head; an empty string when the host closed the connection.</summary>
    private async Task<string> SendAsync(string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(Host.BaseAddress.Host, Host.BaseAddress.Port);
        var stream = client.GetStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await stream.WriteAsync(Encoding.Latin1.GetBytes(request), timeout.Token);
        }
        catch (IOException)
        {
            // The host may answer and close before it has read everything.
        }
        var buffer = new byte[8192];
        var answer = new StringBuilder();
        try
        {
            while (!answer.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                if (read == 0) break;
                answer.Append(Encoding.Latin1.GetString(buffer, 0, read));
            }
        }
        catch (IOException)
        {
        }
        return answer.ToString();
    }

    private static string Shown(string s) => new(s.Select(c => char.IsControl(c) ? '¿' : c).Take(300).ToArray());
}
