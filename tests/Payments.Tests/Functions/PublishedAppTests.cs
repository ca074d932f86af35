using System.IO.Compression;
using System.Text.Json.Nodes;
using Payments.Core.Finishing;
using Payments.Core.Hosting;
using Payments.Core.Idempotency;
using Payments.Core.Protocol;
using Payments.LocalHost.Functions;
using Payments.Tests.Consistency;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Functions;

/// <summary>What deploys: the published package lists exactly the functions the protocol, the operators,
/// the work queues and the timers need, with the routes, methods, authorization, queues, connection and
/// schedules they must have; and it is what the local host serves.</summary>
[Trait("Category", Category.Consistency)]
public class PublishedAppTests
{
    /// <summary>A function as functions.metadata describes its trigger.</summary>
    public sealed record Expected(string Name, string Type, string What, string? Auth = null);

    private static string Http(string route, params string[] methods) => string.Join(",", methods) + " /" + route;

    /// <summary>The specification: every protocol method at its route (POST, anonymous: Google's calls are
    /// authenticated by their signed bodies), the internal routes (function key; health anonymous; GET
    /// answers HEAD), one queue function per work queue on the app's connection, the two timers.</summary>
    public static IReadOnlyList<Expected> ExpectedFunctions() =>
    [
        .. ProtocolMethods.All.Select(m => new Expected(ProtocolFunctionName(m), "httpTrigger", Http(m.Route, "post"), "Anonymous")),
        new("ReportPayment", "httpTrigger", Http("internal/reference-numbers/{referenceNumber}/payment", "post"), "Function"),
        new("GetOperation", "httpTrigger", Http("internal/operations/{paymentIntegratorAccountId}/{requestId}", "get", "head"), "Function"),
        new("RequeueOperation", "httpTrigger", Http("internal/operations/{paymentIntegratorAccountId}/{requestId}/requeue", "post"), "Function"),
        new("NeedsAttention", "httpTrigger", Http("internal/operations/needs-attention", "get", "head"), "Function"),
        new("Health", "httpTrigger", Http("health", "get", "head"), "Anonymous"),
        new("FinishRefund", "queueTrigger", "%Storage:RefundsQueue% on PaymentsStorage"),
        new("FinishReservationCancellation", "queueTrigger", "%Storage:ReservationCancellationsQueue% on PaymentsStorage"),
        new("SendNotification", "queueTrigger", "%Storage:NotificationsQueue% on PaymentsStorage"),
        new("FinishBooking", "queueTrigger", "%Storage:BookingsQueue% on PaymentsStorage"),
        new("OutboxRelay", "timerTrigger", OutboxRelay.Schedule),
        new("IdempotencyRetention", "timerTrigger", IdempotencyRetention.Schedule),
        new("ReconcileStatement", "queueTrigger", "%Storage:StatementsQueue% on PaymentsStorage"),
        new("StatementsNeedingAttention", "httpTrigger", Http("internal/remittance-statements/needs-attention", "get", "head"), "Function"),
        new("GetStatement", "httpTrigger", Http("internal/remittance-statements/{paymentIntegratorAccountId}/{statementId}", "get", "head"), "Function"),
        new("GetStatementEvents", "httpTrigger", Http("internal/remittance-statements/{paymentIntegratorAccountId}/{statementId}/events.csv", "get"), "Function"),
        new("AcceptStatement", "httpTrigger", Http("internal/remittance-statements/{paymentIntegratorAccountId}/{statementId}/accept", "post"), "Function"),
    ];

    /// <summary>"refundable-one-time-payment-code", 2, "cancelReferenceNumber" → "RefundableOneTimePaymentCodeV2CancelReferenceNumber".</summary>
    public static string ProtocolFunctionName(ProtocolMethod method) =>
        string.Concat(method.Api.Split('-').Select(p => char.ToUpperInvariant(p[0]) + p[1..]))
        + "V" + method.Version + char.ToUpperInvariant(method.Name[0]) + method.Name[1..];

    private static Expected Describe(JsonObject function)
    {
        var name = function["name"]!.GetValue<string>();
        var trigger = PublishedApp.Trigger(function);
        var type = trigger["type"]!.GetValue<string>();
        return type switch
        {
            "httpTrigger" => new Expected(name, type,
                Http(trigger["route"]!.GetValue<string>(), trigger["methods"]!.AsArray().Select(m => m!.GetValue<string>().ToLowerInvariant()).ToArray()),
                trigger["authLevel"]!.GetValue<string>()),
            "queueTrigger" => new Expected(name, type, trigger["queueName"]!.GetValue<string>() + " on " + trigger["connection"]?.GetValue<string>()),
            "timerTrigger" => new Expected(name, type, trigger["schedule"]!.GetValue<string>()),
            _ => new Expected(name, type, trigger.ToJsonString()),
        };
    }

    /// <summary>The worker and its logic are published ReadyToRun (scripts/publish.sh): precompiled code
    /// starts the instance faster than JIT alone (docs/performance.md, cold start).</summary>
    [Theory]
    [InlineData("Payments.Functions.dll")]
    [InlineData("Payments.Core.dll")]
    public void The_published_app_is_precompiled_ReadyToRun(string assembly)
    {
        using var stream = File.OpenRead(PublishedApp.PathOf(assembly));
        using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
        Assert.True(pe.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0, $"{assembly} holds IL only: publish with -p:PublishReadyToRun=true");
    }

    [Fact]
    public void Functions_metadata_lists_exactly_the_expected_functions()
    {
        var published = PublishedApp.Metadata().Select(Describe).ToList();
        var expected = ExpectedFunctions();
        Repo.NoProblems("Expected functions missing from functions.metadata, or published differently",
            expected.Except(published).Select(e => $"{e} (published: {published.FirstOrDefault(p => p.Name == e.Name)?.ToString() ?? "none"})"));
        Repo.NoProblems("Functions in functions.metadata that nothing expects", published.Except(expected).Select(p => p.ToString()));
    }

    [Fact]
    public void Every_http_function_returns_its_response_and_runs_in_the_worker()
    {
        foreach (var function in PublishedApp.Metadata())
        {
            Assert.Equal("dotnet-isolated", function["language"]!.GetValue<string>());
            Assert.Equal("Payments.Functions.dll", function["scriptFile"]!.GetValue<string>());
            if (PublishedApp.Trigger(function)["type"]!.GetValue<string>() != "httpTrigger") continue;
            Assert.Contains(function["bindings"]!.AsArray(), b => b!["name"]!.GetValue<string>() == "$return" && b["type"]!.GetValue<string>() == "http");
        }
    }

    [Fact]
    public void The_package_holds_the_worker_the_queue_extension_and_the_repositorys_host_json()
    {
        Assert.Equal(File.ReadAllText(Repo.PathOf("host.json")), File.ReadAllText(PublishedApp.PathOf("host.json")));
        PublishedApp.PathOf("Payments.Functions.dll");
        PublishedApp.PathOf("worker.config.json");
        var extensions = JsonNode.Parse(File.ReadAllText(PublishedApp.PathOf("extensions.json")))!["extensions"]!.AsArray();
        var queues = extensions.SingleOrDefault(e => e!["name"]!.GetValue<string>() == "AzureStorageQueues");
        Assert.True(queues is not null, "extensions.json does not name the AzureStorageQueues extension: " + extensions.ToJsonString());
        var hintPath = queues["hintPath"]!.GetValue<string>();
        Assert.True(File.Exists(Path.Combine(Repo.PathOf(PublishedApp.Folder), hintPath)), $"extensions.json points at {hintPath}, which was not published.");
    }

    [Fact]
    public void The_zip_is_the_published_folder_with_the_host_files_at_its_root()
    {
        Assert.True(File.Exists(Repo.PathOf(PublishedApp.Zip)), $"{PublishedApp.Zip} is missing: bash scripts/publish.sh writes it.");
        using var zip = ZipFile.OpenRead(Repo.PathOf(PublishedApp.Zip));
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
        foreach (var file in new[] { "functions.metadata", "host.json", "extensions.json", "worker.config.json", "Payments.Functions.dll" })
            Assert.True(entries.Contains(file), $"{PublishedApp.Zip} has no {file} at its root.");
        Assert.Contains(entries, e => e.StartsWith(".azurefunctions/", StringComparison.Ordinal));
        var folder = Repo.PathOf(PublishedApp.Folder);
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f).Replace(Path.DirectorySeparatorChar, '/')).ToHashSet();
        Assert.True(files.SetEquals(entries.Where(e => !e.EndsWith('/'))), "the zip and artifacts/functions differ");
    }

    [Fact]
    public void The_attributes_the_local_host_serves_are_those_of_functions_metadata()
    {
        var published = PublishedApp.Metadata().ToDictionary(f => f["name"]!.GetValue<string>());
        var problems = new List<string>();
        var discovered = FunctionCatalog.Discover();
        foreach (var function in discovered)
        {
            if (!published.TryGetValue(function.Name, out var metadata))
            {
                problems.Add($"{function}: not in functions.metadata");
                continue;
            }
            var entryPoint = function.Method.DeclaringType!.FullName + "." + function.Method.Name;
            if (metadata["entryPoint"]!.GetValue<string>() != entryPoint)
                problems.Add($"{function}: entry point {metadata["entryPoint"]} in functions.metadata");
            var described = Describe(metadata);
            var local = function.Trigger switch
            {
                HttpFunctionTrigger h => new Expected(function.Name, "httpTrigger", Http(h.Route, [.. h.Methods]), h.AuthorizationLevel.ToString()),
                QueueFunctionTrigger q => new Expected(function.Name, "queueTrigger", q.QueueName + " on " + q.Connection),
                TimerFunctionTrigger t => new Expected(function.Name, "timerTrigger", t.Schedule),
                _ => null,
            };
            if (local != described) problems.Add($"{function}: the local host reads {local}, functions.metadata says {described}");
        }
        problems.AddRange(published.Keys.Except(discovered.Select(f => f.Name)).Select(n => $"{n}: in functions.metadata, not discovered by the local host"));
        Repo.NoProblems("Local host and functions.metadata disagree", problems);
    }
}
