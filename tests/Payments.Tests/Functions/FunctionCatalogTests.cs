using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Payments.LocalHost.Functions;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Functions;

/// <summary>The local host refuses, at start, entry points the Functions host or the Worker would bind
/// differently (the samples below are this assembly's only [Function]s).</summary>
[Trait("Category", Category.Unit)]
public sealed class FunctionCatalogTests
{
    [Fact]
    public void Entry_points_that_would_bind_differently_are_refused_naming_each()
    {
        var e = Assert.Throws<InvalidOperationException>(() => FunctionCatalog.Discover(typeof(FunctionCatalogTests).Assembly));
        Assert.Contains("WrongRouteValue (BadSamples.WrongRouteValue): parameter 'requestID2' binds to nothing", e.Message);
        Assert.Contains("NoTrigger (BadSamples.NoTrigger): 0 trigger parameters", e.Message);
        Assert.Contains("function name Twice used 2 times", e.Message);
        Assert.Contains("VoidQueue (BadSamples.VoidQueue): returns Void", e.Message);
    }

    [Fact]
    public void The_apps_own_entry_points_are_served()
    {
        var functions = FunctionCatalog.Discover();
        Assert.Contains(functions, f => f.Trigger is HttpFunctionTrigger);
        Assert.Contains(functions, f => f.Trigger is QueueFunctionTrigger);
        Assert.Contains(functions, f => f.Trigger is TimerFunctionTrigger);
    }

    [Fact]
    public void Hosts_starting_at_once_each_discover_the_same_entry_points()
    {
        // A fresh load of the app's assembly each round: its methods' ParameterInfo objects are not cached yet,
        // so the discoveries race to create them (as hosts started at once by parallel test classes do).
        var path = FunctionCatalog.AppAssembly.Location;
        var expected = FunctionCatalog.Discover().Count;
        for (var round = 0; round < 20; round++)
        {
            var context = new System.Runtime.Loader.AssemblyLoadContext("round" + round, isCollectible: true);
            var assembly = context.LoadFromAssemblyPath(path);
            using var start = new Barrier(8);
            var counts = Enumerable.Range(0, 8).AsParallel().WithDegreeOfParallelism(8)
                .Select(_ => { start.SignalAndWait(); return FunctionCatalog.Discover(assembly).Count; }).ToList();
            Assert.All(counts, c => Assert.Equal(expected, c));
            context.Unload();
        }
    }

    [Fact]
    public void Route_parameters_are_read_with_their_constraints()
    {
        Assert.Equal(["a", "b", "rest"], FunctionCatalog.RouteParameters("x/{a}/{b:int?}/{*rest}").Order(StringComparer.Ordinal));
    }

    internal sealed class BadSamples
    {
        [Function("WrongRouteValue")]
        public Task<IActionResult> WrongRouteValue(
            [HttpTrigger(AuthorizationLevel.Function, "get", Route = "x/{requestId}")] HttpRequest request, string requestID2)
            => throw new NotSupportedException();

        [Function("NoTrigger")]
        public Task NoTrigger(string message) => throw new NotSupportedException();

        [Function("Twice")]
        public Task One([QueueTrigger("q", Connection = "C")] string message) => throw new NotSupportedException();

        [Function("Twice")]
        public Task Two([QueueTrigger("q", Connection = "C")] string message) => throw new NotSupportedException();

        [Function("VoidQueue")]
        public void VoidQueue([QueueTrigger("q", Connection = "C")] string message) { }
    }
}
