using System.Reflection;
using System.Text.RegularExpressions;
using Payments.Core.Hosting;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;

namespace Payments.Tests.Consistency;

/// <summary>The [Function]s of functions/Payments.Functions (parsed as text: the project cannot be
/// compiled here) match <see cref="HostedRoutes.All"/>, <see cref="QueueNames.All"/>, the outbox relay and the retention sweep.</summary>
public class FunctionsConsistencyTests
{
    private const string Folder = "functions/Payments.Functions";

    internal sealed record ParsedFunction(string Name, string File, string Source)
    {
        public Match Http => Regex.Match(Source,
            @"\[HttpTrigger\(\s*AuthorizationLevel\.(?<auth>\w+)\s*,\s*""(?<method>\w+)""\s*,\s*Route\s*=\s*""(?<route>[^""]*)""\s*\)\]");
        public Match Queue => Regex.Match(Source,
            @"\[QueueTrigger\(\s*(?:QueueNames\.(?<const>\w+)|""(?<literal>[^""]*)"")\s*,\s*Connection\s*=\s*""(?<connection>[^""]*)""\s*\)\]");
        public Match Timer => Regex.Match(Source, @"\[TimerTrigger\(\s*(?<schedule>[^)\]]*?)\s*\)\]");
        public bool AnyTrigger => Http.Success || Queue.Success || Timer.Success;
        public override string ToString() => $"{Name} ({File})";
    }

    internal static IReadOnlyList<ParsedFunction> Functions()
    {
        var result = new List<ParsedFunction>();
        foreach (var file in Repo.Files(Folder, ".cs", recursive: false))
        {
            var code = Repo.WithoutComments(Repo.Read(file));
            var starts = Regex.Matches(code, @"\[Function\(\s*""(?<name>[^""]+)""\s*\)\]");
            for (var i = 0; i < starts.Count; i++)
            {
                var end = i + 1 < starts.Count ? starts[i + 1].Index : code.Length;
                result.Add(new ParsedFunction(starts[i].Groups["name"].Value, file, code[starts[i].Index..end]));
            }
        }
        return result;
    }

    private static string QueueOf(ParsedFunction f)
    {
        var q = f.Queue;
        if (q.Groups["literal"].Success) return q.Groups["literal"].Value;
        var field = typeof(QueueNames).GetField(q.Groups["const"].Value, BindingFlags.Public | BindingFlags.Static);
        return field is { IsLiteral: true } ? (string)field.GetRawConstantValue()! : $"<unknown QueueNames.{q.Groups["const"].Value}>";
    }

    [Fact]
    public void Every_function_has_a_unique_name_and_a_recognised_trigger()
    {
        var functions = Functions();
        Assert.True(functions.Count > 0, $"No [Function] found in {Folder}/*.cs.");
        Repo.NoProblems("Function names used more than once",
            functions.GroupBy(f => f.Name).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(f => f.File))}"));
        Repo.NoProblems("Functions without a trigger of the expected shape ([HttpTrigger(AuthorizationLevel.X, \"method\", Route = \"...\")], "
            + "[QueueTrigger(QueueNames.X, Connection = \"Storage\")] or [TimerTrigger(X.Schedule)])",
            functions.Where(f => !f.AnyTrigger).Select(f => f.ToString()));
    }

    [Fact]
    public void Every_hosted_route_has_a_function_with_the_same_name_route_method_and_authorization()
    {
        var functions = Functions().Where(f => f.Http.Success).ToDictionary(f => f.Name);
        var problems = new List<string>();
        foreach (var route in HostedRoutes.All)
        {
            if (!functions.TryGetValue(route.FunctionName, out var f))
            {
                problems.Add($"no [Function(\"{route.FunctionName}\")] with an HttpTrigger for {route.HttpMethod.ToUpperInvariant()} /{route.Route}");
                continue;
            }
            var http = f.Http;
            var auth = route.RequiresFunctionKey ? "Function" : "Anonymous";
            if (http.Groups["route"].Value != route.Route)
                problems.Add($"{f}: Route = \"{http.Groups["route"].Value}\", HostedRoutes.All says \"{route.Route}\"");
            if (!string.Equals(http.Groups["method"].Value, route.HttpMethod, StringComparison.OrdinalIgnoreCase))
                problems.Add($"{f}: method \"{http.Groups["method"].Value}\", HostedRoutes.All says \"{route.HttpMethod}\"");
            if (http.Groups["auth"].Value != auth)
                problems.Add($"{f}: AuthorizationLevel.{http.Groups["auth"].Value}, HostedRoutes.All says AuthorizationLevel.{auth}");
        }
        Repo.NoProblems("HTTP functions that do not match HostedRoutes.All", problems);
    }

    [Fact]
    public void Every_http_function_is_a_hosted_route()
    {
        var names = HostedRoutes.All.Select(r => r.FunctionName).ToHashSet();
        Repo.NoProblems("HTTP functions that are not in HostedRoutes.All (the local host would not serve them)",
            Functions().Where(f => f.Http.Success && !names.Contains(f.Name)).Select(f => $"{f} Route = \"{f.Http.Groups["route"].Value}\""));
    }

    [Fact]
    public void Every_protocol_function_serves_the_method_its_name_says()
    {
        var byName = ProtocolMethods.All.ToDictionary(HostedRoutes.FunctionNameOf);
        var problems = new List<string>();
        foreach (var f in Functions().Where(f => byName.ContainsKey(f.Name)))
        {
            var used = Regex.Match(f.Source, @"\bProtocolMethods\.(\w+)");
            var field = used.Success ? typeof(ProtocolMethods).GetField(used.Groups[1].Value, BindingFlags.Public | BindingFlags.Static) : null;
            if (field?.GetValue(null) is not ProtocolMethod method)
                problems.Add($"{f}: passes no ProtocolMethods.<method> to the endpoint");
            else if (method != byName[f.Name])
                problems.Add($"{f}: passes ProtocolMethods.{field.Name} ({method.Route}), expected {byName[f.Name].Route}");
        }
        Repo.NoProblems("Protocol functions calling the wrong method", problems);
    }

    [Fact]
    public void Every_queue_has_one_queue_function_on_the_Storage_connection_and_no_other_queue_is_triggered()
    {
        var queueFunctions = Functions().Where(f => f.Queue.Success).ToList();
        Repo.NoProblems("Queues of QueueNames.All without exactly one queue-triggered function",
            QueueNames.All.Select(q => (q, n: queueFunctions.Count(f => QueueOf(f) == q))).Where(x => x.n != 1)
                .Select(x => $"{x.q}: {x.n} functions"));
        Repo.NoProblems("Queue functions on a queue that is not in QueueNames.All",
            queueFunctions.Where(f => !QueueNames.All.Contains(QueueOf(f))).Select(f => $"{f}: {QueueOf(f)}"));
        Repo.NoProblems($"Queue functions whose Connection is not \"{SettingNames.Storage}\"",
            queueFunctions.Where(f => f.Queue.Groups["connection"].Value != SettingNames.Storage).Select(f => f.ToString()));
    }

    [Theory]
    [InlineData("OutboxRelay.Schedule", "RunOnceAsync(")]
    [InlineData("IdempotencyRetention.Schedule", "SweepAsync(")]
    public void Each_timer_uses_its_class_schedule_and_calls_it(string schedule, string call)
    {
        var timers = Functions().Where(f => f.Timer.Success).ToList();
        Assert.True(timers.Count == 2, $"Expected two timer-triggered functions (outbox relay, retention sweep), found {timers.Count}: {string.Join(", ", timers)}");
        var timer = timers.SingleOrDefault(t => t.Timer.Groups["schedule"].Value == schedule);
        Assert.True(timer is not null, $"No [TimerTrigger({schedule})] among {string.Join(", ", timers)}");
        Assert.Contains(call, timer.Source);
    }

    [Fact]
    public void The_schedules_are_NCRONTAB_with_seconds()
    {
        Assert.Equal(6, OutboxRelay.Schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(6, IdempotencyRetention.Schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
