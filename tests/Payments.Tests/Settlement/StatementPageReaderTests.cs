using System.Text;
using Payments.Core.Settlement;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Settlement;

/// <summary>The details page reader on hostile and odd shapes (docs/protocol.md, "Statement details as we read them").</summary>
[Trait("Category", Category.Unit)]
public sealed class StatementPageReaderTests
{
    private static StatementPage Read(string json, long offset = 0, int asked = 1000)
    {
        var (page, error) = StatementPageReader.Read(Encoding.UTF8.GetBytes(json), offset, asked);
        Assert.Null(error);
        return page;
    }

    private const string V1Summary = """
        {"statementDate":"1502607600000","billingPeriod":{"startDate":"1502434800000","endDate":"1502521199000"},"dateDue":"1503212400000",
         "currencyCode":"INR","totalDueByIntegrator":"1076000000","totalPresentmentAmounts":[{"amountMicros":"1076000000","currencyCode":"INR"}],
         "remittanceInstructions":{"memoLineId":"stmt-1AB-pp0-invisi"}}
        """;

    [Fact]
    public void The_documented_v1_example_reads_without_problems()
    {
        var page = Read($$"""
            {"responseHeader":{"responseTimestamp":"1481900013178"},"eventOffset":0,"nextEventOffset":4,"totalEvents":15,
             "remittanceStatementSummary":{{V1Summary}},
             "captureEvents":[{"eventRequestId":"bWVyY2hhbnQgdHJhbnNhY3Rpb24gaWQ","paymentIntegratorEventId":"ioj32SOIjf23oijSDfoij","eventCharge":"700000000","eventFee":"-28000000"}]}
            """, asked: 4);

        Assert.Empty(page.Problems);
        Assert.Equal((0L, 4L, 15L), (page.EventOffset, page.NextEventOffset, page.TotalEvents));
        Assert.Equal(new RemittanceSummary(DateTimeOffset.FromUnixTimeMilliseconds(1502607600000), DateTimeOffset.FromUnixTimeMilliseconds(1502434800000),
            DateTimeOffset.FromUnixTimeMilliseconds(1502521199000), DateTimeOffset.FromUnixTimeMilliseconds(1503212400000), "INR", 1_076_000_000, null, "stmt-1AB-pp0-invisi"), page.Summary);
        Assert.Equal(new StatementEvent("captureEvents", "bWVyY2hhbnQgdHJhbnNhY3Rpb24gaWQ", "ioj32SOIjf23oijSDfoij", 700_000_000, -28_000_000, null), Assert.Single(page.Events));
    }

    [Fact]
    public void A_v2_page_reads_Timestamps_Amounts_and_the_total_in_the_summary()
    {
        var page = Read("""
            {"responseHeader":{"responseTimestamp":{"epochMillis":"1616976000000"}},"eventOffset":5,
             "remittanceStatementSummary":{"statementDate":{"epochMillis":"1614556800000"},"billingPeriod":{"startDate":{"epochMillis":"1612137600000"},"endDate":{"epochMillis":"1614556799000"}},
               "dateDue":{"epochMillis":"1615161600000"},"totalDueByIntegrator":{"amountMicros":"1076000000","currencyCode":"INR"},
               "totalProcessedAmount":{"amountMicros":"1669000000","currencyCode":"INR"},"totalWithholdingTaxAmount":{"amountMicros":"-1000000","currencyCode":"INR"},"totalEvents":6},
             "refundEvents":[{"eventRequestId":"r1","paymentIntegratorEventId":"o1","eventCharge":{"amountMicros":"-2000000","currencyCode":"INR"},"eventFee":{"amountMicros":"0","currencyCode":"INR"}}]}
            """, offset: 5);

        Assert.Empty(page.Problems);
        Assert.Equal((5L, null, 6L), (page.EventOffset, page.NextEventOffset, page.TotalEvents));
        Assert.Equal(("INR", 1_076_000_000L, 6L, (string?)null), (page.Summary!.CurrencyCode, page.Summary.TotalDueByIntegratorMicros, page.Summary.TotalEvents, page.Summary.MemoLineId));
        Assert.Equal(new StatementEvent("refundEvents", "r1", "o1", -2_000_000, 0, "INR"), Assert.Single(page.Events));
    }

    [Fact]
    public void Numbers_are_accepted_where_int64_strings_are_expected_and_unknown_page_fields_and_the_responseTimestamp_are_ignored()
    {
        var page = Read("""
            {"responseHeader":{"responseTimestamp":"not even a number"},"someNewField":{"a":[1,2]},"eventOffset":"0","totalEvents":1,
             "captureEvents":[{"eventRequestId":"c1","paymentIntegratorEventId":"o1","eventCharge":700000000,"eventFee":-1}]}
            """);
        Assert.Empty(page.Problems);
        Assert.Equal((700_000_000L, -1L), (page.Events[0].ChargeMicros, page.Events[0].FeeMicros));
    }

    [Theory]
    [InlineData("\"eventCharge\":\"12.5\"", "eventCharge is not an int64 (a string)")]
    [InlineData("\"eventCharge\":1.5", "eventCharge is not an int64 (a number)")]
    [InlineData("\"eventCharge\":\"99999999999999999999\"", "eventCharge is not an int64 (a string)")]
    [InlineData("\"eventCharge\":[1]", "eventCharge is not an int64 (an array)")]
    [InlineData("\"eventCharge\":{\"currencyCode\":\"USD\"}", "eventCharge.amountMicros missing")]
    [InlineData("\"eventCharge\":{\"amountMicros\":\"1\",\"currencyCode\":\"USD\",\"fx\":1}", "eventCharge: unknown field 'fx'")]
    [InlineData("\"eventCharge\":\"1\",\"eventFee\":{\"amountMicros\":\"1\",\"currencyCode\":\"USD\"},\"eventCharge\":\"2\"", "'eventCharge' given twice")]
    [InlineData("\"eventCharge\":{\"amountMicros\":\"1\",\"currencyCode\":\"USD\"},\"eventFee\":{\"amountMicros\":\"1\",\"currencyCode\":\"EUR\"}", "eventCharge in USD but eventFee in EUR")]
    [InlineData("\"paymentIntegratorEventId\":7,\"eventCharge\":\"1\"", "paymentIntegratorEventId is not a string (a number)")]
    [InlineData("\"eventFee\":\"1\"", "eventCharge missing")]
    public void A_wrong_type_in_an_event_is_reported_against_the_event(string fields, string problem)
    {
        var json = "{\"captureEvents\":[{\"eventRequestId\":\"c1\"," + (fields.Contains("paymentIntegratorEventId") ? "" : "\"paymentIntegratorEventId\":\"o1\",") + fields + "}]}";
        var page = Read(json);
        Assert.Contains("captureEvents[0] (c1): " + problem, page.Problems);
        Assert.Single(page.Events);
    }

    [Fact]
    public void An_event_without_ids_is_kept_and_reported()
    {
        var page = Read("""{"captureEvents":[{"eventCharge":"1"},{"eventRequestId":17,"paymentIntegratorEventId":"o","eventCharge":"2"}]}""");
        Assert.Equal(2, page.Events.Count);
        Assert.Contains("captureEvents[0]: eventRequestId missing", page.Problems);
        Assert.Contains("captureEvents[0]: paymentIntegratorEventId missing", page.Problems);
        Assert.Contains("captureEvents[1]: eventRequestId is not a string (a number)", page.Problems);
    }

    [Fact]
    public void Unknown_arrays_and_fields_are_kept_and_reported_once_per_name()
    {
        var events = string.Join(",", Enumerable.Range(0, 50).Select(i => $$"""{"eventRequestId":"e{{i}}","paymentIntegratorEventId":"o{{i}}","eventCharge":"1","eventType":"PAYMENT"}"""));
        var page = Read($$"""{"events":[{{events}}],"refundEvents":[],"captureEvents":[42]}""");
        Assert.Equal(50, page.Events.Count);
        Assert.All(page.Events, e => Assert.Equal("events", e.Array));
        Assert.Contains("unknown event array 'events' with 50 entries", page.Problems);
        Assert.Contains("events: unknown field 'eventType' in 50 event(s)", page.Problems);
        Assert.Contains("captureEvents[0] is not an object", page.Problems);
        Assert.Equal(3, page.Problems.Count);
    }

    [Fact]
    public void Problems_are_capped_and_the_rest_counted()
    {
        var events = string.Join(",", Enumerable.Range(0, 1000).Select(_ => """{"eventCharge":"1"}"""));
        var page = Read($$"""{"captureEvents":[{{events}}]}""");
        Assert.Equal(1000, page.Events.Count);
        Assert.Equal(StatementPageReader.MaxProblems + 1, page.Problems.Count);
        Assert.Equal("… and 1900 more problems", page.Problems[^1]);
    }

    [Fact]
    public void Page_counters_are_checked_against_the_request()
    {
        var page = Read("""{"eventOffset":3,"nextEventOffset":-1,"totalEvents":"x","captureEvents":[{"eventRequestId":"a","paymentIntegratorEventId":"b","eventCharge":"1"},{"eventRequestId":"c","paymentIntegratorEventId":"d","eventCharge":"1"}]}""", offset: 0, asked: 1);
        Assert.Equal(3, page.EventOffset);
        Assert.Null(page.NextEventOffset);
        Assert.Null(page.TotalEvents);
        Assert.Contains("eventOffset 3, asked for 0", page.Problems);
        Assert.Contains("2 events, asked for at most 1", page.Problems);
        Assert.Contains("nextEventOffset is negative", page.Problems);
        Assert.Contains("totalEvents is not an int64 (a string)", page.Problems);
    }

    [Fact]
    public void A_summary_missing_what_reconciliation_needs_is_null_and_reported()
    {
        var page = Read("""{"remittanceStatementSummary":{"statementDate":"1","billingPeriod":{"startDate":"1"},"totalDueByIntegrator":"abc"}}""");
        Assert.Null(page.Summary);
        Assert.Contains("remittanceStatementSummary.billingPeriod.endDate missing", page.Problems);
        Assert.Contains("remittanceStatementSummary.currencyCode missing", page.Problems);
        Assert.Contains("remittanceStatementSummary.totalDueByIntegrator is not an int64 (a string)", page.Problems);
        Assert.DoesNotContain("remittanceStatementSummary.totalDueByIntegrator missing", page.Problems);
    }

    [Fact]
    public void An_ErrorResponse_in_a_200_is_returned_as_its_code()
    {
        Assert.Equal("INVALID_IDENTIFIER", StatementPageReader.Read("""{"responseHeader":{},"errorResponseCode":"INVALID_IDENTIFIER","errorDescription":"secret"}"""u8, 0, 10).ErrorCode);
        Assert.Equal("invalidIdentifier", StatementPageReader.Read("""{"errorResponseResult":{"invalidIdentifier":{"invalidIdentifierType":"x"}}}"""u8, 0, 10).ErrorCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("{\"captureEvents\":[}")]
    [InlineData("{} {}")]
    [InlineData("{\"a\":1")]
    public void What_is_not_one_JSON_object_is_refused(string json)
        => Assert.Throws<StatementPageRefusedException>(() => StatementPageReader.Read(Encoding.UTF8.GetBytes(json), 0, 10));

    [Fact]
    public void Deep_nesting_is_refused()
    {
        var json = "{\"x\":" + new string('[', 40) + new string(']', 40) + "}";
        Assert.Throws<StatementPageRefusedException>(() => StatementPageReader.Read(Encoding.UTF8.GetBytes(json), 0, 10));
    }

    [Fact]
    public void At_most_1000_entries_across_all_arrays()
    {
        string Array(string name, int n) => $"\"{name}\":[" + string.Join(",", Enumerable.Range(0, n).Select(i => $$"""{"eventRequestId":"{{name}}{{i}}","paymentIntegratorEventId":"o","eventCharge":"1"}""")) + "]";
        Assert.Equal(1000, Read("{" + Array("captureEvents", 600) + "," + Array("refundEvents", 400) + "}").Events.Count);
        var ex = Assert.Throws<StatementPageRefusedException>(() => StatementPageReader.Read(Encoding.UTF8.GetBytes("{" + Array("captureEvents", 600) + "," + Array("other", 401) + "}"), 0, 1000));
        Assert.Contains("more than 1000 events", ex.Message);
    }
}
