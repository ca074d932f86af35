using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Payments.Core.Hosting;
using Payments.LocalHost;
using Payments.LocalHost.Logging;
using Payments.Tests.EndToEnd;

namespace Payments.Tests.Adversarial;

/// <summary>The redactor on its own: what it masks and escapes, in messages and in structured values.</summary>
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

    [Fact]
    public void Control_characters_are_escaped_so_that_no_line_can_be_split_or_forged()
    {
        Assert.Equal("a\\u0000b\\u000d\\u000aINFO forged\\u2028\\u001b[31m", Redactor.Redact("a\0b\r\nINFO forged\u2028\u001b[31m"));
    }

    [Fact]
    public void Structured_values_are_redacted_too_and_the_message_template_is_kept()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [SettingNames.InternalApiKey] = Key,
        }).Build());
        var captured = new StructuredCapture();
        services.AddLogging(b => b.AddProvider(captured).RedactSecrets());
        using var provider = services.BuildServiceProvider();
        var logger = provider.GetRequiredService<ILogger<LogRedactorTests>>();

        logger.LogInformation("query {QueryString} header {Authorization} id {Id} n {Count}", "?code=" + Key, "Bearer xyz", "a\nb", 42);

        var (message, values) = Assert.Single(captured.Entries);
        Assert.Equal("query ?code=*** header *** id a\\u000ab n 42", message);
        Assert.Equal("?code=***", values["QueryString"]);
        Assert.Equal(LogRedactor.Mask, values["Authorization"]);
        Assert.Equal("a\\u000ab", values["Id"]);
        Assert.Equal(42, values["Count"]);
        Assert.Equal("query {QueryString} header {Authorization} id {Id} n {Count}", values["{OriginalFormat}"]);
    }

    private sealed class StructuredCapture : ILoggerProvider
    {
        public List<(string Message, Dictionary<string, object?> Values)> Entries { get; } = [];
        public ILogger CreateLogger(string categoryName) => new Logger(this);
        public void Dispose() { }

        private sealed class Logger(StructuredCapture owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Add((formatter(state, exception),
                    ((IEnumerable<KeyValuePair<string, object?>>)state!).ToDictionary(p => p.Key, p => p.Value)));
        }
    }
}
