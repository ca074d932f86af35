using Payments.Core.Security;
using Payments.Core.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Payments.Core.Hosting;
using Payments.Core.Logging;
using Payments.Tests.EndToEnd;
using Microsoft.Extensions.Logging.Testing;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Adversarial;

/// <summary>The redactor on its own: what it masks and escapes, in messages and in structured values.</summary>
[Trait("Category", Category.Unit)]
public sealed class LogRedactorTests
{
    private const string Key = "internal-key-With+Slash/=";
    private static readonly LogRedactor Redactor = new([Key, "short", null]);

    [Theory]
    [InlineData("Request starting HTTP/1.1 GET http://h/internal/x?code=abc123 - - -", "?code=***")]
    [InlineData("GET /x?a=1&CODE=abc123&b=2", "&CODE=***&b=2")]
    [InlineData("GET /x?sig=abc123", "?sig=***")]
    [InlineData("x-functions-key: abc123", "x-functions-key: ***")]
    [InlineData("x-internal-key: abc123", "x-internal-key: ***")]
    [InlineData("Authorization: Bearer abc.def.ghi", "Authorization: ***")]
    [InlineData("DefaultEndpointsProtocol=http;AccountName=a;AccountKey=abc123==;", "AccountKey=***")]
    public void Keys_in_query_strings_headers_and_connection_strings_are_masked(string line, string expected)
    {
        var redacted = Redactor.Redact(line);
        Assert.Contains(expected, redacted);
        Assert.DoesNotContain("abc", redacted);
    }

    [Fact]
    public void A_secret_the_host_holds_is_masked_wherever_it_appears_also_url_encoded()
    {
        Assert.Equal("key *** and ***", Redactor.Redact($"key {Key} and {Uri.EscapeDataString(Key)}"));
        // Shorter than the threshold: not searched for by value (it would mask ordinary words).
        Assert.Equal("short", Redactor.Redact("short"));
    }

    /// <summary>The secret as a client may percent-encode it: every byte (upper, lower, mixed hex), some
    /// bytes, its percent signs encoded again (%2563), '+' for a space, non-ASCII as UTF-8 bytes.</summary>
    public static IEnumerable<string> Encodings(string secret)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(secret);
        yield return string.Concat(bytes.Select(b => $"%{b:X2}"));
        yield return string.Concat(bytes.Select(b => $"%{b:x2}"));
        yield return string.Concat(bytes.Select((b, i) => i % 2 == 0 ? $"%{b:x2}" : $"%{b:X2}"));
        yield return string.Concat(bytes.Select(b => $"%{char.ToLowerInvariant($"{b:X2}"[0])}{$"{b:X2}"[1]}"));
        yield return string.Concat(bytes.Select(b => $"%25{b:X2}"));
        yield return string.Concat(bytes.Select(b => $"%2525{b:x2}"));
        yield return Uri.EscapeDataString(Uri.EscapeDataString(secret));
        // Some bytes encoded: every third one, and one alone in the middle.
        yield return EncodeWhere(secret, i => i % 3 == 0);
        yield return EncodeWhere(secret, i => i == 5);
        yield return secret.Replace(' ', '+');
        yield return Uri.EscapeDataString(secret).Replace("%20", "+", StringComparison.Ordinal);
    }

    private static string EncodeWhere(string secret, Func<int, bool> encode) =>
        string.Concat(secret.EnumerateRunes().Select((r, i) => encode(i) ? string.Concat(System.Text.Encoding.UTF8.GetBytes(r.ToString()).Select(b => $"%{b:X2}")) : r.ToString()));

    /// <summary>What any decoding of the line could yield: percent-escapes decoded up to three times, '+' as space.</summary>
    public static IEnumerable<string> Decodings(string line)
    {
        for (var pass = 0; pass < 4; pass++)
        {
            yield return line;
            yield return line.Replace('+', ' ');
            line = Uri.UnescapeDataString(line);
        }
    }

    public static TheoryData<string> Secrets => new()
    {
        Key,
        "pass phrase with spaces, 42",
        "pässwörd-ключ-秘密-🙂",
        "DefaultEndpointsKey+/abc==",
    };

    [Theory]
    [MemberData(nameof(Secrets))]
    public void A_secret_is_masked_in_every_percent_encoding_anywhere_in_the_line(string secret)
    {
        var redactor = new LogRedactor([secret]);
        foreach (var encoded in Encodings(secret))
        {
            foreach (var line in new[]
            {
                $"Request starting HTTP/1.1 GET http://h/health?%63ode={encoded} - - -",
                $"Request starting HTTP/1.1 GET http://h/internal/operations/A/{encoded}/requeue?x=1 - - -",
                $"value {encoded}, then more",
                $"{encoded}",
            })
            {
                var redacted = redactor.Redact(line);
                Assert.Contains(LogRedactor.Mask, redacted);
                Assert.False(Decodings(redacted).Any(d => d.Contains(secret, StringComparison.Ordinal)), $"{encoded} in: {redacted}");
            }
        }
    }

    [Theory]
    [InlineData("?%63ode=")]
    [InlineData("?C%4FDE=")]
    [InlineData("&%63%6f%64%65=")]
    [InlineData("?%63%6F%64%65=")]
    [InlineData("?%2563ode=")]
    [InlineData("?%25%36%33ode=")]
    [InlineData("&%73ig=")]
    [InlineData("?api%2Dkey=")]
    [InlineData("?%43ode=")]
    public void A_key_parameter_whose_name_is_percent_encoded_has_its_value_masked(string name)
    {
        foreach (var value in new[] { "abc123", "abc%26123", "%61bc123" })
        {
            var redacted = Redactor.Redact($"Request starting HTTP/1.1 GET http://h/health{name}{value}&other=1 - - -");
            Assert.Contains(name + LogRedactor.Mask + "&other=1", redacted);
            Assert.DoesNotContain("123", redacted);
        }
    }

    [Theory]
    [InlineData("100% sure, %zz and %4 and 50%2")]
    [InlineData("GET /path%20with%20spaces?q=a+b&code2=x")]
    [InlineData("%C3 alone, %E2%82 cut, %F0%9F%99 cut")]
    public void Text_without_a_secret_is_left_as_it_was(string line) => Assert.Equal(line, Redactor.Redact(line));

    [Fact]
    public void Control_characters_are_escaped_so_that_no_line_can_be_split_or_forged()
    {
        Assert.Equal("a\\u0000b\\u000d\\u000aINFO forged\\u2028\\u001b[31m", Redactor.Redact("a\0b\r\nINFO forged\u2028\u001b[31m"));
    }

    [Fact]
    public void Structured_values_are_redacted_too_and_the_message_template_is_kept()
    {
        var captured = new FakeLoggerProvider();
        using var provider = RedactingLogging(captured);
        var logger = provider.GetRequiredService<ILogger<LogRedactorTests>>();

        logger.LogInformation("query {QueryString} header {Authorization} id {Id} n {Count}", "?code=" + Key, "Bearer xyz", "a\nb", 42);

        var record = Assert.Single(captured.Collector.GetSnapshot());
        var (message, values) = (record.Message, record.Values());
        Assert.Equal("query ?code=*** header *** id a\\u000ab n 42", message);
        Assert.Equal("?code=***", values["QueryString"]);
        Assert.Equal(LogRedactor.Mask, values["Authorization"]);
        Assert.Equal("a\\u000ab", values["Id"]);
        Assert.Equal("42", values["Count"]); // FakeLogger keeps values as text
        Assert.Equal("query {QueryString} header {Authorization} id {Id} n {Count}", values["{OriginalFormat}"]);
    }

    [Fact]
    public void An_exception_logged_with_a_secret_in_its_text_is_logged_with_it_masked()
    {
        var captured = new FakeLoggerProvider();
        using var provider = RedactingLogging(captured);
        var logger = provider.GetRequiredService<ILogger<LogRedactorTests>>();
        var encoded = string.Concat(System.Text.Encoding.UTF8.GetBytes(Key).Select(b => $"%{b:x2}"));
        // What Kestrel's bad-request exceptions quote: the request line as sent.
        var leaking = new InvalidOperationException("outer", new IOException($"Invalid request line: 'GET /x?%63ode={encoded}\x0D' and {Key}"));
        var harmless = new InvalidOperationException("nothing to hide");

        logger.LogWarning(leaking, "bad request data");
        logger.LogWarning(harmless, "bad request data");

        var logged = captured.Collector.GetSnapshot()[0].Exception!;
        Assert.DoesNotContain(Decodings(logged.ToString()), d => d.Contains(Key, StringComparison.Ordinal));
        Assert.Contains("Invalid request line: 'GET /x?%63ode=***", logged.ToString());
        Assert.Contains(Environment.NewLine, logged.ToString());
        Assert.Same(harmless, captured.Collector.GetSnapshot()[1].Exception);
    }

    [Fact]
    public void The_worker_writes_its_logs_through_the_redactor_too()
    {
        var logs = new FakeLoggerProvider();
        using var app = Functions.WorkerAppTests.BuildWorkerApp(new Dictionary<string, string?>
        {
            ["PaymentsStorage"] = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=d29ya2VyLXRlc3QtYWNjb3VudC1rZXk=;TableEndpoint=http://127.0.0.1:9/t;QueueEndpoint=http://127.0.0.1:9/q;BlobEndpoint=http://127.0.0.1:9/b",
            ["Internal:ApiKey"] = Key,
        }, builder => builder.Logging.AddProvider(logs));
        var encoded = string.Concat(System.Text.Encoding.UTF8.GetBytes(Key).Select(b => $"%{b:X2}"));

        // What the worker's own ASP.NET Core server writes for a request the Functions host passes on.
        app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics")
            .LogInformation("Request starting HTTP/1.1 GET http://127.0.0.1:5000/internal/operations/needs-attention?%63ode={Encoded}&x={Key} - - -", encoded, Key);

        var line = Assert.Single(logs.Collector.Lines(), l => l.Contains("Request starting", StringComparison.Ordinal));
        Assert.Contains("?%63ode=***&x=***", line);
        Assert.DoesNotContain(Decodings(line), d => d.Contains(Key, StringComparison.Ordinal));
    }

    /// <summary>Logging as the local host sets it up (holding <see cref="Key"/>), written to <paramref name="captured"/>.</summary>
    private static ServiceProvider RedactingLogging(FakeLoggerProvider captured)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Internal:ApiKey"] = Key,
        }).Build());
        services.AddSettings<InternalOptions>(InternalOptions.Section); // the redactor learns the secrets from the bound options
        services.AddLogging(b => b.AddProvider(captured).RedactSecrets());
        return services.BuildServiceProvider();
    }
}
