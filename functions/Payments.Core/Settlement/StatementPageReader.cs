using System.Globalization;
using System.Text.Json;

namespace Payments.Core.Settlement;

/// <summary>
/// Reads one remittanceStatementDetails answer tolerantly and in bounded memory (docs/protocol.md, "Statement details
/// as we read them"): one pass of a <see cref="Utf8JsonReader"/> over the opened body, at most
/// <see cref="MaxEventsPerPage"/> events, every array of objects kept with its name, every shape problem reported
/// (at most <see cref="MaxProblems"/> lines) instead of dropped. Refuses only what it cannot read at all.
/// </summary>
internal static class StatementPageReader
{
    public const int MaxEventsPerPage = 1000;
    public const int MaxProblems = 100;
    private const int MaxDepth = 32;
    private const int MaxTextInProblem = 100;

    /// <summary>The event arrays of v1 pages; any other array of a page is kept too, and reported.</summary>
    public static readonly IReadOnlySet<string> KnownArrays = new HashSet<string>(StringComparer.Ordinal)
    {
        "captureEvents", "refundEvents", "reverseRefundEvents", "chargebackEvents", "reverseChargebackEvents", "adjustmentEvents",
    };

    /// <summary>The page, and the ErrorResponse code when the answer is one.</summary>
    /// <exception cref="StatementPageRefusedException">not a JSON object, nested deeper than 32, or over <see cref="MaxEventsPerPage"/> events.</exception>
    public static (StatementPage Page, string? ErrorCode) Read(ReadOnlySpan<byte> json, long requestedOffset, int requestedEvents)
    {
        var page = new PageState();
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new StatementPageRefusedException("the page is not a JSON object");
            ReadPage(ref reader, page);
            if (reader.Read()) throw new StatementPageRefusedException("the page has content after its JSON object");
        }
        catch (JsonException)
        {
            throw new StatementPageRefusedException($"the page is not JSON (or nests deeper than {MaxDepth})");
        }

        var offset = page.EventOffset ?? requestedOffset;
        if (offset != requestedOffset) page.Problem($"eventOffset {offset}, asked for {requestedOffset}");
        if (page.Events.Count > requestedEvents) page.Problem($"{page.Events.Count} events, asked for at most {requestedEvents}");
        if (page.TotalEvents is { } top && page.Summary?.TotalEvents is { } inSummary && top != inSummary)
            page.Problem($"totalEvents {top} differs from remittanceStatementSummary.totalEvents {inSummary}");
        foreach (var ((array, field), count) in page.UnknownFields)
            page.Problem($"{array}: unknown field '{Clean(field)}' in {count} event(s)");
        return (new StatementPage(offset, page.NextEventOffset, page.TotalEvents ?? page.Summary?.TotalEvents, page.Summary, page.Events, page.Problems()), page.ErrorCode);
    }

    private static void ReadPage(ref Utf8JsonReader reader, PageState page)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            if (!seen.Add(name)) page.Problem($"'{Clean(name)}' given twice");
            switch (name)
            {
                case "eventOffset": page.EventOffset = Count(ref reader, page, name); break;
                case "nextEventOffset": page.NextEventOffset = Count(ref reader, page, name); break;
                case "totalEvents": page.TotalEvents = Count(ref reader, page, name); break;
                case "remittanceStatementSummary": page.Summary = ReadSummary(ref reader, page); break;
                case "errorResponseCode" when reader.TokenType == JsonTokenType.String: page.ErrorCode = Clean(reader.GetString()); break;
                case "errorResponseResult" when reader.TokenType == JsonTokenType.StartObject:
                    string? member = null;
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        member ??= reader.GetString();
                        reader.Read();
                        reader.Skip();
                    }
                    page.ErrorCode = Clean(member ?? name);
                    break;
                default:
                    if (reader.TokenType == JsonTokenType.StartArray) ReadEventArray(ref reader, page, name);
                    else reader.Skip(); // responseHeader (not checked: Google's clock), fields of newer minor versions
                    break;
            }
        }
    }

    private static void ReadEventArray(ref Utf8JsonReader reader, PageState page, string array)
    {
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (++page.Entries > MaxEventsPerPage)
                throw new StatementPageRefusedException($"the page holds more than {MaxEventsPerPage} events");
            if (reader.TokenType == JsonTokenType.StartObject) page.Events.Add(ReadEvent(ref reader, page, array, index));
            else
            {
                page.Problem($"{Clean(array)}[{index}] is not an object");
                reader.Skip();
            }
            index++;
        }
        if (!KnownArrays.Contains(array)) page.Problem($"unknown event array '{Clean(array)}' with {index} entries");
    }

    private static StatementEvent ReadEvent(ref Utf8JsonReader reader, PageState page, string array, int index)
    {
        string? requestId = null, ourId = null;
        Money? charge = null, fee = null;
        var problems = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = reader.GetString()!;
            reader.Read();
            if (!seen.Add(field)) problems.Add($"'{Clean(field)}' given twice");
            switch (field)
            {
                case "eventRequestId": requestId = Text(ref reader, problems, field); break;
                case "paymentIntegratorEventId": ourId = Text(ref reader, problems, field); break;
                case "eventCharge": charge = ReadMoney(ref reader, problems, field); break;
                case "eventFee": fee = ReadMoney(ref reader, problems, field); break;
                default:
                    page.UnknownFields[(array, field)] = page.UnknownFields.GetValueOrDefault((array, field)) + 1;
                    reader.Skip();
                    break;
            }
        }
        if (string.IsNullOrEmpty(requestId)) problems.Add("eventRequestId missing");
        if (string.IsNullOrEmpty(ourId)) problems.Add("paymentIntegratorEventId missing");
        if (charge is null && !seen.Contains("eventCharge")) problems.Add("eventCharge missing");
        if (charge?.Currency is { } a && fee?.Currency is { } b && a != b) problems.Add($"eventCharge in {Clean(a)} but eventFee in {Clean(b)}");
        var label = $"{Clean(array)}[{index}]" + (requestId is null ? "" : $" ({Clean(requestId)})");
        foreach (var problem in problems) page.Problem(label + ": " + problem);
        return new StatementEvent(array, requestId, ourId, charge?.Micros, fee?.Micros, charge?.Currency ?? fee?.Currency);
    }

    private static RemittanceSummary? ReadSummary(ref Utf8JsonReader reader, PageState page)
    {
        const string Name = "remittanceStatementSummary";
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            page.Problem(Name + " is not an object");
            reader.Skip();
            return null;
        }
        var problems = new List<string>();
        DateTimeOffset? statementDate = null, start = null, end = null, due = null;
        string? currency = null, memo = null;
        Money? total = null;
        long? totalEvents = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = reader.GetString()!;
            reader.Read();
            switch (field)
            {
                case "statementDate": statementDate = Instant(ref reader, problems, field); break;
                case "dateDue": due = Instant(ref reader, problems, field); break;
                case "currencyCode": currency = Text(ref reader, problems, field); break;
                case "totalDueByIntegrator": total = ReadMoney(ref reader, problems, field); break;
                case "totalEvents": totalEvents = Int64(ref reader, problems, field); break;
                case "billingPeriod" when reader.TokenType == JsonTokenType.StartObject:
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var member = reader.GetString()!;
                        reader.Read();
                        if (member == "startDate") start = Instant(ref reader, problems, "billingPeriod.startDate");
                        else if (member == "endDate") end = Instant(ref reader, problems, "billingPeriod.endDate");
                        else reader.Skip();
                    }
                    break;
                case "remittanceInstructions" when reader.TokenType == JsonTokenType.StartObject:
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var member = reader.GetString()!;
                        reader.Read();
                        if (member == "memoLineId") memo = Text(ref reader, problems, "remittanceInstructions.memoLineId");
                        else reader.Skip();
                    }
                    break;
                default: reader.Skip(); break; // totalPresentmentAmounts, the v2 tax totals, newer fields
            }
        }
        if (currency is not null && total?.Currency is { } c && c != currency)
            problems.Add($"totalDueByIntegrator in {Clean(c)}, currencyCode {Clean(currency)}");
        currency ??= total?.Currency;
        foreach (var (value, field) in new (object?, string)[] { (statementDate, "statementDate"), (start, "billingPeriod.startDate"), (end, "billingPeriod.endDate"), (currency, "currencyCode"), (total, "totalDueByIntegrator") })
            if (value is null && !problems.Any(p => p.StartsWith(field, StringComparison.Ordinal))) problems.Add(field + " missing");
        foreach (var problem in problems) page.Problem(Name + "." + problem);
        return statementDate is null || start is null || end is null || currency is null || total is null
            ? null
            : new RemittanceSummary(statementDate.Value, start.Value, end.Value, due, currency, total.Micros, totalEvents, memo);
    }

    // ---- values ------------------------------------------------------------------------------------------------

    private sealed record Money(long Micros, string? Currency);

    /// <summary>A micros amount: a string of int64 (v1), a JSON integer (older examples), or an Amount object
    /// <c>{amountMicros, currencyCode}</c> (v2, and some v1 methods). Null when absent or unreadable (reported).</summary>
    private static Money? ReadMoney(ref Utf8JsonReader reader, List<string> problems, string field)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartObject)
            return Int64(ref reader, problems, field) is { } micros ? new Money(micros, null) : null;
        long? amount = null;
        string? currency = null;
        var amountSeen = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var member = reader.GetString()!;
            reader.Read();
            switch (member)
            {
                case "amountMicros": amountSeen = true; amount = Int64(ref reader, problems, field + ".amountMicros"); break;
                case "currencyCode": currency = Text(ref reader, problems, field + ".currencyCode"); break;
                default: problems.Add($"{field}: unknown field '{Clean(member)}'"); reader.Skip(); break;
            }
        }
        if (!amountSeen) problems.Add(field + ".amountMicros missing");
        return amount is { } m ? new Money(m, currency) : null;
    }

    /// <summary>An int64: a string of digits with an optional sign, or a JSON integer.</summary>
    private static long? Int64(ref Utf8JsonReader reader, List<string> problems, string field)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number when reader.TryGetInt64(out var n):
                return n;
            case JsonTokenType.String when long.TryParse(reader.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var s):
                return s;
            default:
                problems.Add($"{field} is not an int64 ({Describe(ref reader)})");
                reader.Skip();
                return null;
        }
    }

    /// <summary>Epoch milliseconds: v1 a string (or a number), v2 <c>{epochMillis}</c>.</summary>
    private static DateTimeOffset? Instant(ref Utf8JsonReader reader, List<string> problems, string field)
    {
        long? ms = null;
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var member = reader.GetString();
                reader.Read();
                if (member == "epochMillis") ms = Int64(ref reader, problems, field + ".epochMillis");
                else reader.Skip();
            }
        }
        else ms = Int64(ref reader, problems, field);
        if (ms is null) return null;
        if (ms < -62_135_596_800_000 || ms > 253_402_300_799_999)
        {
            problems.Add($"{field} is out of range");
            return null;
        }
        return DateTimeOffset.FromUnixTimeMilliseconds(ms.Value);
    }

    private static string? Text(ref Utf8JsonReader reader, List<string> problems, string field)
    {
        if (reader.TokenType == JsonTokenType.String) return reader.GetString();
        if (reader.TokenType != JsonTokenType.Null) problems.Add($"{field} is not a string ({Describe(ref reader)})");
        reader.Skip();
        return null;
    }

    /// <summary>A page counter (offset, total): a non-negative int64.</summary>
    private static long? Count(ref Utf8JsonReader reader, PageState page, string field)
    {
        var problems = new List<string>();
        var value = Int64(ref reader, problems, field);
        if (value < 0) problems.Add($"{field} is negative");
        foreach (var problem in problems) page.Problem(problem);
        return value >= 0 ? value : null;
    }

    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        _ => reader.TokenType.ToString(),
    };

    /// <summary>Google's text in our messages: control characters blanked, at most 100 characters.</summary>
    internal static string Clean(string? text)
    {
        if (text is null) return "";
        var clean = new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        return clean.Length <= MaxTextInProblem ? clean : clean[..MaxTextInProblem] + "…";
    }

    private sealed class PageState
    {
        private readonly List<string> _problems = [];
        private int _dropped;

        public long? EventOffset, NextEventOffset, TotalEvents;
        public RemittanceSummary? Summary;
        public string? ErrorCode;
        public int Entries;
        public List<StatementEvent> Events { get; } = [];
        public Dictionary<(string Array, string Field), int> UnknownFields { get; } = [];

        public void Problem(string problem)
        {
            if (_problems.Count < MaxProblems) _problems.Add(problem);
            else _dropped++;
        }

        public IReadOnlyList<string> Problems() => _dropped == 0 ? _problems : [.. _problems, $"… and {_dropped} more problems"];
    }
}
