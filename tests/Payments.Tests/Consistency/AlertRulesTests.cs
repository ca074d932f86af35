using Payments.Tests.TestSupport;
using System.Text.Json;

namespace Payments.Tests.Consistency;

/// <summary>Monitoring as infra/ compiles it: an action group, one log alert rule per row of the alert
/// table of docs/operations.md, Google's service levels per protocol method, a workbook of those measures;
/// and every query names only what the app emits. Reads functions.metadata (bash scripts/publish.sh first).</summary>
[Trait("Category", Category.Consistency)]
public class AlertRulesTests
{
    private const string Module = "alerts";

    private static JsonElement Template => Bicep.Module(Module).GetProperty("template");

    private static IReadOnlyList<JsonElement> Variable(string name) => Template.GetProperty("variables").GetProperty(name).EnumerateArray().ToList();

    private static string Text(JsonElement element, string property) => element.GetProperty(property).ToString();

    private static IReadOnlyList<JsonElement> RulesOver(string variable) =>
        Bicep.ResourcesOf(Module, "Microsoft.Insights/scheduledQueryRules")
            .Where(r => r.TryGetProperty("copy", out var copy) && copy.GetProperty("count").GetString() == $"[length(variables('{variable}'))]")
            .ToList();

    private static JsonElement Condition(JsonElement rule) =>
        Assert.Single(rule.GetProperty("properties").GetProperty("criteria").GetProperty("allOf").EnumerateArray());

    [Fact]
    public void An_action_group_takes_its_recipients_from_parameters_and_every_rule_notifies_it()
    {
        var group = Assert.Single(Bicep.ResourcesOf(Module, "Microsoft.Insights/actionGroups"));
        Assert.Equal("global", group.GetProperty("location").GetString());
        var properties = group.GetProperty("properties");
        var emails = Assert.Single(properties.GetProperty("copy").EnumerateArray(), c => c.GetProperty("name").GetString() == "emailReceivers");
        Assert.Equal("[length(parameters('alertEmailAddresses'))]", emails.GetProperty("count").GetString());
        Assert.Equal("[parameters('alertEmailAddresses')[copyIndex('emailReceivers')]]", emails.GetProperty("input").GetProperty("emailAddress").GetString());
        Assert.Contains("parameters('alertWebhookUrl')", properties.GetProperty("webhookReceivers").GetString());
        Assert.Equal("[parameters('alertEmailAddresses')]", Bicep.Module(Module).GetProperty("parameters").GetProperty("alertEmailAddresses").GetProperty("value").GetString());
        Assert.Equal("[parameters('alertWebhookUrl')]", Bicep.Module(Module).GetProperty("parameters").GetProperty("alertWebhookUrl").GetProperty("value").GetString());

        // The sandbox may leave it empty; production names someone.
        Assert.Empty(Bicep.Parameters.GetProperty("alertEmailAddresses").GetProperty("value").EnumerateArray());
        Assert.Equal([Bicep.ProductionEnvironment["GSP_ALERT_EMAIL"]],
            Bicep.ProductionParameters.GetProperty("alertEmailAddresses").GetProperty("value").EnumerateArray().Select(e => e.GetString()));

        var rules = Bicep.ResourcesOf(Module, "Microsoft.Insights/scheduledQueryRules");
        Assert.Equal(2, rules.Count);
        Assert.All(rules, rule =>
        {
            Assert.Equal("[parameters('applicationInsightsId')]", Assert.Single(rule.GetProperty("properties").GetProperty("scopes").EnumerateArray()).GetString());
            Assert.Equal("[resourceId('Microsoft.Insights/actionGroups', format('{0}-oncall', parameters('namePrefix')))]",
                Assert.Single(rule.GetProperty("properties").GetProperty("actions").GetProperty("actionGroups").EnumerateArray()).GetString());
            Assert.True(rule.GetProperty("properties").GetProperty("enabled").GetBoolean());
        });
        Assert.Matches(@"^\[reference\(resourceId\('Microsoft\.Resources/deployments', 'monitoring'\)[^)]*\)\.outputs\.applicationInsightsId\.value\]$",
            Bicep.Module(Module).GetProperty("parameters").GetProperty("applicationInsightsId").GetProperty("value").GetString());
    }

    [Fact]
    public void Every_row_of_the_alert_table_of_operations_md_has_its_rule_and_every_rule_its_row()
    {
        var rows = OperationsAlertTable.Rows();
        var alerts = Variable("operationsAlerts").ToDictionary(a => Text(a, "name"));
        var problems = new List<string>();
        foreach (var row in rows)
        {
            if (!alerts.TryGetValue(row.Rule, out var alert)) { problems.Add($"row {row.Event}: no rule {row.Rule} in infra/modules/alerts.bicep"); continue; }
            if (Text(alert, "query") != row.Query) problems.Add($"{row.Rule}: the rule runs {Text(alert, "query")}, the table says {row.Query}");
            if (alert.GetProperty("severity").GetInt32() != row.Severity) problems.Add($"{row.Rule}: severity {alert.GetProperty("severity")}, the table says {row.Severity}");
            if (alert.GetProperty("minCount").GetInt32() != row.MinCount) problems.Add($"{row.Rule}: fires at {alert.GetProperty("minCount")}, the table says ≥ {row.MinCount}");
            if (OperationsAlertTable.Window(Text(alert, "windowSize")) != row.Window) problems.Add($"{row.Rule}: window {Text(alert, "windowSize")}, the table says {row.Window}");
            var per = alert.GetProperty("dimensions").EnumerateArray().Select(d => Text(d, "name")).SingleOrDefault();
            if (per != row.PerColumn) problems.Add($"{row.Rule}: alerts per {per ?? "(nothing)"}, the table says per {row.PerColumn ?? "(nothing)"}");
        }
        problems.AddRange(alerts.Keys.Except(rows.Select(r => r.Rule)).Select(r => $"rule {r}: no row of the alert table of {OperationsAlertTable.Document}"));
        problems.AddRange(rows.GroupBy(r => r.Rule).Where(g => g.Count() > 1).Select(g => $"rule {g.Key}: {g.Count()} rows"));
        Repo.NoProblems("Alert table and alert rules", problems);

        // ...and one rule resource per entry, running its query.
        var rule = Assert.Single(RulesOver("operationsAlerts"));
        Assert.Equal("[format('{0}-{1}', parameters('namePrefix'), variables('operationsAlerts')[copyIndex()].name)]", rule.GetProperty("name").GetString());
        var condition = Condition(rule);
        Assert.Equal("[variables('operationsAlerts')[copyIndex()].query]", condition.GetProperty("query").GetString());
        Assert.Equal("[variables('operationsAlerts')[copyIndex()].minCount]", condition.GetProperty("threshold").GetString());
        Assert.Equal("[variables('operationsAlerts')[copyIndex()].dimensions]", condition.GetProperty("dimensions").GetString());
        Assert.Equal("Count", condition.GetProperty("timeAggregation").GetString());
        Assert.Equal("GreaterThanOrEqual", condition.GetProperty("operator").GetString());
    }

    /// <summary>Google measures each method on its own: 90% within 3 s and 95% within 5 s per hour, 99.9%
    /// answered validly within 7 s per day. One rule per measure, alerting per protocol function.</summary>
    [Fact]
    public void Googles_service_levels_are_watched_per_protocol_function_of_functions_metadata()
    {
        var protocol = AppTelemetry.ProtocolFunctionNames;
        Assert.Equal(Payments.Core.Protocol.ProtocolMethods.All.Count, protocol.Count);
        var watched = Variable("protocolFunctions").Select(f => f.GetString()!).ToList();
        Assert.Equal(protocol.Order(StringComparer.Ordinal), watched.Order(StringComparer.Ordinal));

        var sla = Variable("slaAlerts").ToDictionary(a => Text(a, "name"));
        Assert.Equal(["sla-failure-rate", "sla-p90-latency", "sla-p95-latency"], sla.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("percentile(duration, 90) by name", Text(sla["sla-p90-latency"], "query"));
        Assert.Equal((3000, "PT1H"), (sla["sla-p90-latency"].GetProperty("threshold").GetInt32(), Text(sla["sla-p90-latency"], "windowSize")));
        Assert.Contains("percentile(duration, 95) by name", Text(sla["sla-p95-latency"], "query"));
        Assert.Equal((5000, "PT1H"), (sla["sla-p95-latency"].GetProperty("threshold").GetInt32(), Text(sla["sla-p95-latency"], "windowSize")));
        // Per mille of the day's calls that failed, were answered 5xx or took over 7 s; over 1: below 99.9%.
        Assert.Contains("1000.0 * countif(success == false or toint(resultCode) >= 500 or duration > 7000) / count() by name", Text(sla["sla-failure-rate"], "query"));
        Assert.Equal((1, "P1D"), (sla["sla-failure-rate"].GetProperty("threshold").GetInt32(), Text(sla["sla-failure-rate"], "windowSize")));

        // docs/operations.md shows each of them with its query.
        var guide = Repo.Read(OperationsAlertTable.Document);
        Repo.NoProblems($"Service-level rules {OperationsAlertTable.Document} does not show with their query",
            sla.Values.Where(a => !guide.Contains($"`{Text(a, "name")}`", StringComparison.Ordinal)
                || !guide.Contains($"`{Text(a, "query").Replace("|", "\\|", StringComparison.Ordinal)}`", StringComparison.Ordinal))
                .Select(a => Text(a, "name")));

        var rule = Assert.Single(RulesOver("slaAlerts"));
        var condition = Condition(rule);
        Assert.Equal("[variables('slaAlerts')[copyIndex()].query]", condition.GetProperty("query").GetString());
        Assert.Equal("[variables('slaAlerts')[copyIndex()].threshold]", condition.GetProperty("threshold").GetString());
        Assert.Equal(("measure", "Maximum", "GreaterThan"),
            (condition.GetProperty("metricMeasureColumn").GetString(), condition.GetProperty("timeAggregation").GetString(), condition.GetProperty("operator").GetString()));
        var perFunction = Assert.Single(condition.GetProperty("dimensions").EnumerateArray());
        Assert.Equal(("name", "Include", "[variables('protocolFunctions')]"),
            (Text(perFunction, "name"), Text(perFunction, "operator"), Text(perFunction, "values")));
    }

    /// <summary>A rule that names an event id no [LoggerMessage] declares, a function functions.metadata does not
    /// list, a custom dimension no message carries or a queue the app does not create would never fire.</summary>
    [Fact]
    public void Every_rule_and_workbook_query_names_only_what_the_app_emits()
    {
        var queries = Variable("operationsAlerts").Select(a => (Text(a, "name"), Text(a, "query")))
            .Concat(Variable("slaAlerts").Select(a => (Text(a, "name"), Text(a, "query"))))
            .Concat(WorkbookQueries().Select(q => ($"workbook {q.Name}", q.Query)))
            .ToList();
        Assert.True(queries.Count > 15, $"only {queries.Count} queries found");
        var problems = queries.SelectMany(q => AppTelemetry.Problems(q.Item2).Select(p => $"{q.Item1}: {p}")).ToList();

        // Each operations rule matches something the app (or its host) writes, not just any trace.
        problems.AddRange(Variable("operationsAlerts").Where(a => !Text(a, "query").Contains('"')).Select(a => $"{Text(a, "name")}: matches no event, function or host text"));
        // Per-queue rules list only the app's queues.
        problems.AddRange(Variable("operationsAlerts")
            .SelectMany(a => a.GetProperty("dimensions").EnumerateArray().Where(d => Text(d, "name") == "queue")
                .SelectMany(d => d.GetProperty("values").EnumerateArray().Select(v => (Rule: Text(a, "name"), Queue: v.GetString()!))))
            .Where(v => !AppTelemetry.Queues.Contains(v.Queue))
            .Select(v => $"{v.Rule}: the app creates no queue {v.Queue}"));
        Repo.NoProblems("Monitoring queries naming what the app does not emit", problems);
    }

    [Fact]
    public void A_workbook_shows_Googles_measures_for_every_protocol_function()
    {
        var workbook = Assert.Single(Bicep.ResourcesOf("workbook", "Microsoft.Insights/workbooks"));
        Assert.Equal("[parameters('applicationInsightsId')]", workbook.GetProperty("properties").GetProperty("sourceId").GetString());
        var queries = WorkbookQueries();
        Assert.Contains(queries, q => q.Query.Contains("percentile(duration, 90)") && q.Query.Contains("percentile(duration, 95)"));
        Assert.Contains(queries, q => q.Query.Contains("countif(success == false or toint(resultCode) >= 500 or duration > 7000)"));
        var problems = queries
            .SelectMany(q => AppTelemetry.ProtocolFunctionNames.Where(f => !q.Query.Contains($"\"{f}\"", StringComparison.Ordinal)).Select(f => $"{q.Name}: does not show {f}"));
        Repo.NoProblems("Workbook queries missing a protocol function", problems);
    }

    private static IReadOnlyList<(string Name, string Query)> WorkbookQueries()
    {
        var template = Bicep.Module("workbook").GetProperty("template");
        var workbook = Assert.Single(Bicep.ResourcesOf("workbook", "Microsoft.Insights/workbooks"));
        var data = Bicep.Resolve(template, workbook.GetProperty("properties").GetProperty("serializedData")).GetString()!;
        using var content = JsonDocument.Parse(data);
        return content.RootElement.GetProperty("items").EnumerateArray()
            .Where(i => i.GetProperty("content").TryGetProperty("query", out _))
            .Select(i => (i.GetProperty("name").GetString()!, i.GetProperty("content").GetProperty("query").GetString()!))
            .ToList();
    }
}
