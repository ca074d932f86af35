using System.Text.RegularExpressions;

namespace Payments.Tests.Consistency;

/// <summary>The alert table of docs/operations.md ("What to alert on"): one row per alert rule of infra/,
/// its rule cell written "`name` severity N: ≥ M in W min|h|d[ per column]" and its query cell the query
/// the rule runs.</summary>
internal static partial class OperationsAlertTable
{
    public const string Document = "docs/operations.md";

    public sealed record Row(string Event, string Rule, int Severity, int MinCount, string Window, string? PerColumn, string Query);

    public static IReadOnlyList<Row> Rows()
    {
        var lines = Repo.Read(Document).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var header = lines.FindIndex(l => l.StartsWith("| event | level |", StringComparison.Ordinal));
        Assert.True(header >= 0, $"{Document} has no alert table (a header starting \"| event | level |\").");
        var columns = Cells(lines[header]);
        int rule = columns.IndexOf("alert rule"), query = columns.IndexOf("query");
        Assert.True(rule >= 0 && query >= 0, $"The alert table of {Document} has no \"alert rule\" or \"query\" column: {lines[header]}");

        var rows = new List<Row>();
        foreach (var line in lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|')))
        {
            var cells = Cells(line);
            Assert.True(cells.Count == columns.Count, $"{Document}: the alert table row has {cells.Count} cells, not {columns.Count}: {line}");
            var r = RuleCell().Match(cells[rule]);
            Assert.True(r.Success, $"{Document}: the alert rule cell is not \"`name` severity N: ≥ M in W min|h|d[ per column]\": {cells[rule]}");
            var q = QueryCell().Match(cells[query]);
            Assert.True(q.Success, $"{Document}: the query cell is not one code span: {cells[query]}");
            rows.Add(new Row(cells[0], r.Groups["name"].Value, int.Parse(r.Groups["severity"].Value), int.Parse(r.Groups["count"].Value),
                r.Groups["window"].Value, r.Groups["per"].Success ? r.Groups["per"].Value : null, q.Groups[1].Value));
        }
        return rows;
    }

    /// <summary>An ISO 8601 duration of a rule ("PT5M", "PT1H", "P2D") as the table writes it ("5 min", "1 h", "2 d").</summary>
    public static string Window(string iso) => IsoDuration().Match(iso) is { Success: true } m
        ? m.Groups["m"].Success ? $"{m.Groups["m"].Value} min" : m.Groups["h"].Success ? $"{m.Groups["h"].Value} h" : $"{m.Groups["d"].Value} d"
        : $"({iso}?)";

    /// <summary>The cells of a Markdown table line, with "\|" (a pipe inside a cell) unescaped.</summary>
    private static List<string> Cells(string line) =>
        CellSeparator().Split(line.Trim().Trim('|')).Select(c => c.Replace("\\|", "|", StringComparison.Ordinal).Trim()).ToList();

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex CellSeparator();

    [GeneratedRegex(@"^`(?<name>[a-z0-9-]+)` severity (?<severity>[0-4]): ≥ (?<count>\d+) in (?<window>\d+ (?:min|h|d))(?: per (?<per>\w+))?$")]
    private static partial Regex RuleCell();

    [GeneratedRegex(@"^`([^`]+)`$")]
    private static partial Regex QueryCell();

    [GeneratedRegex(@"^P(?:T(?:(?<m>\d+)M|(?<h>\d+)H)|(?<d>\d+)D)$")]
    private static partial Regex IsoDuration();
}
