using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Payments.Core.Notifications;
using Payments.Core.Settlement;
using Payments.Tests.Security;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Settlement;

/// <summary>GnuPG plays Google for the statement calls: our sealed request decrypts and verifies in gpg, and a page
/// gpg signed and encrypted is read by our client.</summary>
[Trait("Category", Category.Interop)]
public sealed class StatementGpgInteropTests(PgpKeysFixture keys) : IClassFixture<PgpKeysFixture>
{
    private sealed class GpgGoogle(PgpKeysFixture keys) : HttpMessageHandler
    {
        public string? RequestJson { get; private set; }
        public string? GpgStatus { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
            var opened = keys.Gpg.Must(PgpKeysFixture.FromBase64Url(body), "--status-fd", "2", "--decrypt");
            (RequestJson, GpgStatus) = (Encoding.UTF8.GetString(opened.Stdout), opened.Stderr);
            var page = $$"""
                {"responseHeader":{"responseTimestamp":"1"},"eventOffset":0,"totalEvents":1,
                 "remittanceStatementSummary":{"statementDate":"1502607600000","billingPeriod":{"startDate":"1502434800000","endDate":"1502521199000"},"currencyCode":"INR","totalDueByIntegrator":"672000000"},
                 "captureEvents":[{"eventRequestId":"gen-1","paymentIntegratorEventId":"txn-1","eventCharge":"700000000","eventFee":"-28000000"}]}
                """;
            var sealedPage = keys.GpgBody(page, "--sign", "--encrypt", "--digest-algo", "SHA384", "--cipher-algo", "AES256", "-u", keys.Google, "-r", keys.Ours1);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(sealedPage) };
        }
    }

    [Fact]
    public async Task A_gpg_sealed_page_is_read_and_our_request_verifies_in_gpg()
    {
        var google = new GpgGoogle(keys);
        var client = new GoogleStatementsClient(new HttpClient(google), keys.Single(),
            new GoogleNotificationOptions { BaseUrl = new Uri("https://vgw.sandbox.google.com/gsp"), Timeout = TimeSpan.FromSeconds(30) },
            TimeProvider.System, NullLogger<GoogleStatementsClient>.Instance);

        var page = await client.FetchPageAsync(new StatementRef("InvisiCashIN_INR", "st-1", "refundable-one-time-payment-code-v1"), "st-1-0", 0, 1000, default);

        Assert.Equal(new StatementEvent("captureEvents", "gen-1", "txn-1", 700_000_000, -28_000_000, null), Assert.Single(page.Events));
        Assert.Equal(672_000_000, page.Summary!.TotalDueByIntegratorMicros);
        Assert.Empty(page.Problems);
        Assert.Contains(google.GpgStatus!.Split('\n'), l => l.StartsWith("[GNUPG:] GOODSIG " + keys.Ours1[^16..], StringComparison.Ordinal));
        var request = JsonNode.Parse(google.RequestJson!)!;
        Assert.Equal(("st-1", "InvisiCashIN_INR", "st-1-0"), ((string?)request["statementId"], (string?)request["paymentIntegratorAccountId"], (string?)request["requestHeader"]!["requestId"]));
    }
}
