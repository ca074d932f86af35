using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Payments.LocalHost.Functions;

/// <summary>
/// The Functions app's entry points, discovered from its [Function] methods and their trigger attributes:
/// the one list both hosts serve. Refuses, at start, what the Functions host or the Worker would refuse or
/// bind differently: duplicate names, a method without exactly one trigger, a parameter that binds to
/// nothing (an HTTP function's extra parameters bind to route values of the same name), or a return type
/// the host would not use as the response.
/// </summary>
public static partial class FunctionCatalog
{
    /// <summary>The Functions app's assembly (functions/Payments.Functions).</summary>
    public static Assembly AppAssembly => typeof(Payments.Functions.FunctionsApp).Assembly;

    public static IReadOnlyList<AppFunction> Discover() => Discover(AppAssembly);

    public static IReadOnlyList<AppFunction> Discover(Assembly assembly)
    {
        var functions = new List<AppFunction>();
        var problems = new List<string>();
        foreach (var type in assembly.GetTypes().Where(t => t.IsClass))
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                if (method.GetCustomAttribute<FunctionAttribute>() is not { } function) continue;
                var where = $"{function.Name} ({type.Name}.{method.Name})";
                var triggers = method.GetParameters()
                    .Select(p => (Parameter: p, Trigger: TriggerOf(p)))
                    .Where(t => t.Trigger is not null).ToList();
                if (triggers.Count != 1)
                {
                    problems.Add($"{where}: {triggers.Count} trigger parameters, expected one");
                    continue;
                }
                var (triggerParameter, trigger) = triggers[0];
                problems.AddRange(CheckSignature(method, triggerParameter, trigger!).Select(p => $"{where}: {p}"));
                functions.Add(new AppFunction(function.Name, method, trigger!));
            }
        }
        problems.AddRange(functions.GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1)
            .Select(g => $"function name {g.Key} used {g.Count()} times"));
        if (problems.Count > 0)
            throw new InvalidOperationException("The Functions app's entry points cannot be served as the Functions host would:\n  "
                + string.Join("\n  ", problems));
        return functions.OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
    }

    private static FunctionTrigger? TriggerOf(ParameterInfo parameter)
    {
        if (parameter.GetCustomAttribute<HttpTriggerAttribute>() is { } http)
            return new HttpFunctionTrigger(http.AuthLevel,
                (http.Methods ?? []).Select(m => m.ToLowerInvariant()).ToList(), http.Route ?? "");
        if (parameter.GetCustomAttribute<QueueTriggerAttribute>() is { } queue)
            return new QueueFunctionTrigger(queue.QueueName, queue.Connection ?? "AzureWebJobsStorage");
        if (parameter.GetCustomAttribute<TimerTriggerAttribute>() is { } timer)
            return new TimerFunctionTrigger(timer.Schedule, timer.RunOnStartup);
        return null;
    }

    private static IEnumerable<string> CheckSignature(MethodInfo method, ParameterInfo triggerParameter, FunctionTrigger trigger)
    {
        var routeValues = trigger is HttpFunctionTrigger h ? RouteParameters(h.Route) : new HashSet<string>();
        foreach (var p in method.GetParameters())
        {
            // By position: ParameterInfo objects from two reflection calls need not be the same instances.
            if (p.Position == triggerParameter.Position || FunctionParameters.IsCancellation(p)) continue;
            if (p.ParameterType == typeof(string) && routeValues.Contains(p.Name!)) continue;
            yield return $"parameter '{p.Name}' binds to nothing (not a route value, the trigger or a CancellationToken)";
        }
        var expected = trigger switch
        {
            HttpFunctionTrigger => (typeof(Task<IActionResult>), typeof(HttpRequest)),
            QueueFunctionTrigger => (typeof(Task), typeof(string)),
            _ => (typeof(Task), typeof(TimerInfo)),
        };
        if (method.ReturnType != expected.Item1) yield return $"returns {method.ReturnType.Name}, expected {expected.Item1}";
        if (triggerParameter.ParameterType != expected.Item2) yield return $"trigger parameter is {triggerParameter.ParameterType.Name}, expected {expected.Item2.Name}";
        if (trigger is HttpFunctionTrigger { Methods.Count: 0 }) yield return "no HTTP methods (the host would accept every method)";
        if (trigger is HttpFunctionTrigger { AuthorizationLevel: AuthorizationLevel.User }) yield return "AuthorizationLevel.User is not served";
    }

    /// <summary>"internal/operations/{a}/{b:int?}" → {a, b}.</summary>
    public static IReadOnlySet<string> RouteParameters(string route) =>
        RouteParameter().Matches(route).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex(@"\{\*?([A-Za-z_][A-Za-z0-9_]*)[^}]*\}")]
    private static partial Regex RouteParameter();

    /// <summary>A queue name or schedule as the host reads it: <c>%Name%</c> is the app setting Name.</summary>
    public static string ResolveSetting(string value, Microsoft.Extensions.Configuration.IConfiguration configuration) =>
        value.Length > 2 && value[0] == '%' && value[^1] == '%'
            ? configuration[value[1..^1]] is { Length: > 0 } setting ? setting
                : throw new InvalidOperationException($"App setting '{value[1..^1]}' (named by '{value}' in a trigger) is missing.")
            : value;
}
