using Payments.Core.Idempotency;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Payments.Core.Hosting;
using Payments.Core.Protocol;
using Payments.Tests.Functions;

namespace Payments.Tests.Consistency;

/// <summary>What the app really emits, for checking the monitoring queries of infra/: the event ids and
/// message placeholders of its <c>[LoggerMessage]</c>s (read by reflection from the Core and LocalHost
/// assemblies), the function names of functions.metadata and the queues it creates.</summary>
internal static partial class AppTelemetry
{
    /// <summary>Texts of the Functions host itself (not of the app) that a query may match: the host's
    /// poison warning "Message has reached MaxDequeueCount of 5. Moving message to queue '&lt;queue&gt;-poison'."</summary>
    private static readonly HashSet<string> HostTexts = ["Message has reached MaxDequeueCount", "queue '([^']+)'"];

    private static readonly Lazy<IReadOnlyList<LoggerMessageAttribute>> loggerMessages = new(() =>
        new[] { "Payments.Core", "Payments.LocalHost" }.Select(Assembly.Load)
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .OfType<LoggerMessageAttribute>()
            .ToList());

    /// <summary>Every event id a [LoggerMessage] of the app declares.</summary>
    public static IReadOnlySet<int> EventIds => loggerMessages.Value.Select(m => m.EventId).ToHashSet();

    /// <summary>Every {Placeholder} of those messages: the custom dimensions their traces carry.</summary>
    public static IReadOnlySet<string> Placeholders =>
        loggerMessages.Value.SelectMany(m => Placeholder().Matches(m.Message ?? "").Select(p => p.Groups[1].Value)).ToHashSet();

    /// <summary>Every function of the published app (functions.metadata).</summary>
    public static IReadOnlySet<string> FunctionNames => PublishedApp.Metadata().Select(f => f["name"]!.GetValue<string>()).ToHashSet();

    /// <summary>The HTTP functions Google calls: those at a protocol method's route.</summary>
    public static IReadOnlySet<string> ProtocolFunctionNames
    {
        get
        {
            var routes = ProtocolMethods.All.Select(m => m.Route).ToHashSet();
            return PublishedApp.Metadata()
                .Where(f => PublishedApp.Trigger(f) is var t && t["type"]!.GetValue<string>() == "httpTrigger" && routes.Contains(t["route"]!.GetValue<string>()))
                .Select(f => f["name"]!.GetValue<string>()).ToHashSet();
        }
    }

    /// <summary>The queues the app creates and their poison twins.</summary>
    public static IReadOnlySet<string> Queues => QueueNames.All.SelectMany(q => new[] { q, QueueNames.Poison(q) }).ToHashSet();

    /// <summary>What in a Kusto query names something the app does not emit: every string literal must be an
    /// event id the code declares, a function of functions.metadata or a text of the Functions host, and every
    /// customDimensions.X a placeholder of a [LoggerMessage] (or EventId).</summary>
    public static IEnumerable<string> Problems(string query)
    {
        var functions = FunctionNames;
        foreach (Match literal in StringLiteral().Matches(query))
        {
            var text = literal.Groups[1].Value;
            if (int.TryParse(text, out var id))
            {
                if (!EventIds.Contains(id)) yield return $"event id {id}: no [LoggerMessage] declares it";
            }
            else if (!functions.Contains(text) && !HostTexts.Contains(text))
                yield return $"\"{text}\": no function of functions.metadata, nor a text of the Functions host";
        }
        foreach (Match dimension in CustomDimension().Matches(query))
            if (dimension.Groups[1].Value != "EventId" && !Placeholders.Contains(dimension.Groups[1].Value))
                yield return $"customDimensions.{dimension.Groups[1].Value}: no [LoggerMessage] has that placeholder";
    }

    [GeneratedRegex(@"\{(\w+)(?:[:,][^}]*)?\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex("\"((?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"customDimensions\.(\w+)")]
    private static partial Regex CustomDimension();
}
