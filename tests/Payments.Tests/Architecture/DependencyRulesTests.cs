using Payments.Core.Protocol;
using Payments.Core.Idempotency;
using Payments.Tests.TestSupport;
using ArchUnitNET.Domain;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace Payments.Tests.Architecture;

/// <summary>The layers of Payments.Core (docs/architecture.md, "Layers"): the feature namespaces stand on
/// their own, Hosting composes them, and no two features need each other.</summary>
[Trait("Category", Category.Unit)]
public sealed class DependencyRulesTests
{
    private const string Core = "Payments.Core";

    /// <summary>The feature folders of Payments.Core; Hosting is the composition root above them.</summary>
    private static readonly string[] Features =
        ["Protocol", "Idempotency", "Transactions", "Finishing", "Notifications", "BackOffice", "Security", "Storage", "Logging", "Http", "Configuration", "Journal", "Settlement"];


    private static readonly ArchUnitNET.Domain.Architecture Model =
        new ArchLoader().LoadAssemblies(typeof(Payments.Core.Protocol.ProtocolProcessor).Assembly).Build();

    private static string InOrBelow(params string[] features) =>
        $@"^{Core.Replace(".", @"\.")}\.({string.Join('|', features)})(\..*)?$";

    [Fact]
    public void Features_do_not_depend_on_Hosting() =>
        Types().That().ResideInNamespaceMatching(InOrBelow(Features))
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(InOrBelow("Hosting")))
            .Check(Model);

    [Fact]
    public void Storage_depends_on_no_feature() =>
        Types().That().ResideInNamespaceMatching(InOrBelow("Storage"))
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(
                InOrBelow([.. Features.Where(f => f != "Storage"), "Hosting"])))
            .Check(Model);

    [Fact]
    public void Protocol_does_not_depend_on_Finishing() =>
        Types().That().ResideInNamespaceMatching(InOrBelow("Protocol"))
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(InOrBelow("Finishing")))
            .Check(Model);

    [Fact]
    public void No_cycles_between_features()
    {
        // feature -> feature -> one type dependency that makes the edge (for the message)
        var edges = new Dictionary<string, Dictionary<string, string>>();
        foreach (var type in Model.Types)
        {
            if (FeatureOf(type) is not { } from) continue;
            foreach (var dependency in type.Dependencies)
            {
                if (FeatureOf(dependency.Target) is not { } to || to == from) continue;
                var targets = edges.TryGetValue(from, out var t) ? t : edges[from] = [];
                targets.TryAdd(to, $"{type.FullName} -> {dependency.Target.FullName}");
            }
        }

        var cycles = StronglyConnected(Features, f => edges.TryGetValue(f, out var t) ? t.Keys : [])
            .Where(component => component.Count > 1)
            .Select(component => string.Join(", ", component) + " form a cycle: " + string.Join("; ", component
                .SelectMany(from => edges[from].Where(e => component.Contains(e.Key)).Select(e => $"{from} -> {e.Key} ({e.Value})"))));
        Consistency.Repo.NoProblems("Feature namespaces that depend on each other", cycles);
    }

    private static string? FeatureOf(IType type)
    {
        var ns = type.Namespace?.FullName ?? "";
        if (!ns.StartsWith(Core + ".", StringComparison.Ordinal)) return null;
        var feature = ns[(Core.Length + 1)..].Split('.')[0];
        return Features.Contains(feature) ? feature : null;
    }

    /// <summary>Tarjan's strongly connected components.</summary>
    private static List<List<string>> StronglyConnected(IEnumerable<string> nodes, Func<string, IEnumerable<string>> next)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var result = new List<List<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            foreach (var to in next(node))
            {
                if (!index.ContainsKey(to)) { Visit(to); low[node] = Math.Min(low[node], low[to]); }
                else if (stack.Contains(to)) low[node] = Math.Min(low[node], index[to]);
            }
            if (low[node] != index[node]) return;
            var component = new List<string>();
            string popped;
            do { popped = stack.Pop(); component.Add(popped); } while (popped != node);
            result.Add(component);
        }

        foreach (var node in nodes)
            if (!index.ContainsKey(node)) Visit(node);
        return result;
    }
}
