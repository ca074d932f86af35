using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Payments.Core.Hosting;
using Payments.Core.Protocol;
using Payments.Core.Idempotency;
using Payments.Core.Storage;
using Payments.Core.Security;
using Payments.Core.Transactions;
using Payments.Functions;
using Payments.LocalHost.Functions;
using Payments.StandIns.Azurite;
using Payments.StandIns.Google;
using Payments.Tests.EndToEnd;
using Payments.StandIns.Gsp;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Functions;

/// <summary>
/// The [Function] methods themselves, in the container the Functions app's Program builds
/// (<see cref="FunctionsApp.CreateBuilder"/>, ValidateOnBuild and ValidateScopes on), against queues and
/// tables of its own (a fresh prefix on the shared Azurite: no local host's pump takes these messages): each class created as the Worker creates it, HTTP functions with an HttpRequest, queue
/// functions with the text the queue delivers, timer functions with a TimerInfo.
/// </summary>
[Trait("Category", Category.EndToEnd)]
public sealed class WorkerAppTests : IAsyncLifetime
{
    private AzuriteProcess _azurite = null!;
    private GoogleStandIn _google = null!;
    private IHost _app = null!;
    private readonly IReadOnlyList<AppFunction> _functions = FunctionCatalog.Discover();

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteProcess.SharedAsync();
        _google = await GoogleStandIn.StartAsync(new PlainJsonEnvelope());
        _app = BuildWorkerApp(new Dictionary<string, string?>(StorageNamesOptions.SettingsFor(Storage.StorageTestContext.NewPrefix()))
        {
            ["PaymentsStorage"] = _azurite.ConnectionString,
            ["Google:BaseUrl"] = _google.BaseUrl.ToString(),
            ["Internal:ApiKey"] = InternalKey,
        });
        await _app.Services.GetRequiredService<TransactionStore>().EnsureCreatedAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        _app.Dispose();
        await _google.DisposeAsync();
    }

    internal static IHost BuildWorkerApp(IReadOnlyDictionary<string, string?> settings, Action<Microsoft.Azure.Functions.Worker.Builder.FunctionsApplicationBuilder>? configure = null)
    {
        var builder = FunctionsApp.CreateBuilder([], configuration => configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Payments:AccountIds"] = string.Join(",", LocalHostUnderTest.Accounts),
            ["Security:Mode"] = "None",
            ["Finishing:MaxBacklog"] = "0",
            ["Finishing:RetryBaseMilliseconds"] = "50",
            ["Google:BaseUrl"] = "http://127.0.0.1:9/", // nothing listens: tests that notify pass their stand-in
        }.Concat(settings).GroupBy(s => s.Key).Select(g => g.Last())));
        // The worker takes its environment from the process's AZURE_FUNCTIONS_ENVIRONMENT, which a test
        // cannot set for itself alone: the security settings are checked as in Development (Security:Mode=None).
        builder.Services.RemoveAll<Microsoft.Extensions.Options.IValidateOptions<SecurityOptions>>();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<SecurityOptions>>(
            new SecurityOptionsValidator(new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = Environments.Development }));
        configure?.Invoke(builder);
        return builder.Build();
    }

    private AppFunction Function(string name) => _functions.Single(f => f.Name == name);

    /// <summary>The app's key of the internal routes (the Functions host's key check is the host's, not the Worker's).</summary>
    private const string InternalKey = "worker-test-internal-key";

    private async Task<(int Status, string Body)> HttpAsync(string function, string method, string? body = null, Dictionary<string, string>? route = null)
    {
        using var scope = _app.Services.CreateScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Method = method;
        var bytes = Encoding.UTF8.GetBytes(body ?? "");
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = bytes.Length;
        context.Request.ContentType = "application/json";
        context.Request.Headers[InternalAccess.Header] = InternalKey;
        foreach (var (k, v) in route ?? []) context.Request.RouteValues[k] = v;
        var response = new MemoryStream();
        context.Response.Body = response;
        var result = await Function(function).InvokeHttpAsync(context.Request, CancellationToken.None);
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        return (context.Response.StatusCode, Encoding.UTF8.GetString(response.ToArray()));
    }

    private readonly HashSet<ProtocolMethod> _called = [];

    private async Task<JsonNode> ProtocolAsync(ProtocolMethod method, JsonObject request)
    {
        _called.Add(method);
        var (status, body) = await HttpAsync(PublishedAppTests.ProtocolFunctionName(method), "POST", request.ToJsonString());
        Assert.True(status == 200, $"{method.Route}: {status} {body}");
        var json = JsonNode.Parse(body)!;
        Assert.Null(json["errorResponseCode"]);
        Assert.Null(json["errorResponseResult"]);
        return json;
    }

    /// <summary>What the queue function would receive: the next message's text, decoded per host.json.</summary>
    private async Task<string> NextMessageAsync(string queue)
    {
        var store = _app.Services.GetRequiredService<TransactionStore>();
        var messages = (await store.Queue(queue).ReceiveMessagesAsync(1, TimeSpan.FromMinutes(1))).Value;
        Assert.True(messages.Length == 1, $"no message on {queue}");
        await store.Queue(queue).DeleteMessageAsync(messages[0].MessageId, messages[0].PopReceipt);
        return messages[0].MessageText;
    }

    private Task QueueAsync(string function, string message) =>
        Function(function).InvokeQueueAsync(_app.Services, message, CancellationToken.None);

    [Fact]
    public void Every_function_class_is_created_from_the_worker_container()
    {
        using var scope = _app.Services.CreateScope();
        foreach (var type in _functions.Select(f => f.Method.DeclaringType!).Distinct())
            Assert.NotNull(ActivatorUtilities.CreateInstance(scope.ServiceProvider, type));
    }

    [Fact]
    public async Task Every_protocol_function_serves_the_method_its_route_names()
    {
        // Each body is valid for its own method only: a function wired to another method refuses it.
        await ProtocolAsync(ProtocolMethods.EchoRorpcV1, GspRequests.EchoV1());
        await ProtocolAsync(ProtocolMethods.EchoRorpcV2, GspRequests.EchoV2());
        await ProtocolAsync(ProtocolMethods.EchoRedirectV1, GspRequests.EchoV1());
        await ProtocolAsync(ProtocolMethods.EchoEWalletsV1, GspRequests.EchoV1());
        var generateV2 = GspRequests.NewId();
        await ProtocolAsync(ProtocolMethods.GenerateReferenceNumberV2, GspRequests.GenerateV2(generateV2));
        await ProtocolAsync(ProtocolMethods.CancelReferenceNumberV2, GspRequests.CancelReferenceNumberV2(generateV2));
        var reserve = GspRequests.NewId();
        await ProtocolAsync(ProtocolMethods.ReserveFundsV1, GspRequests.ReserveFundsV1(reserve));
        await ProtocolAsync(ProtocolMethods.CancelFundsReservationV1, GspRequests.CancelFundsReservationV1(reserve));
        var mandate = GspRequests.NewId("M");
        await ProtocolAsync(ProtocolMethods.CreateMandateV1, GspRequests.CreateMandateV1(mandate));
        await ProtocolAsync(ProtocolMethods.CancelMandateV1, GspRequests.CancelMandateV1(mandate));

        // generate v1 → paid at a store (internal function) → refund.
        var generate = GspRequests.NewId();
        var number = (await ProtocolAsync(ProtocolMethods.GenerateReferenceNumberV1, GspRequests.GenerateV1(generate)))
            ["displayableReferenceNumber"]!["barcodeWithPrintableString"]!["printableString"]!.GetValue<string>();
        var (paid, paidBody) = await HttpAsync("ReportPayment", "POST", PaymentReport(GspRequests.Usd), new() { ["referenceNumber"] = number });
        Assert.True(paid == 200, paidBody);
        await ProtocolAsync(ProtocolMethods.AsynchronousRefundV1, GspRequests.RefundV1(generate, 1_000_000));
        var toCancel = GspRequests.ReferenceNumberOf(await ProtocolAsync(ProtocolMethods.GenerateReferenceNumberV1, GspRequests.GenerateV1()))!;
        await ProtocolAsync(ProtocolMethods.CancelReferenceNumberV1, GspRequests.CancelReferenceNumberV1(toCancel));
        var paidV2 = GspRequests.NewId();
        var numberV2 = GspRequests.ReferenceNumberOf(await ProtocolAsync(ProtocolMethods.GenerateReferenceNumberV2, GspRequests.GenerateV2(paidV2)))!;
        Assert.Equal(200, (await HttpAsync("ReportPayment", "POST", PaymentReport(GspRequests.Usd), new() { ["referenceNumber"] = numberV2 })).Status);
        await ProtocolAsync(ProtocolMethods.AsynchronousRefundV2, GspRequests.RefundV2(paidV2, 1_000_000));

        // The synchronous captures and refunds.
        var toCapture = GspRequests.NewId();
        await ProtocolAsync(ProtocolMethods.ReserveFundsV1, GspRequests.ReserveFundsV1(toCapture));
        var capture = GspRequests.CaptureFundsReservationV1(toCapture, 1_000_000_000);
        await ProtocolAsync(ProtocolMethods.CaptureFundsReservationV1, capture);
        await ProtocolAsync(ProtocolMethods.RefundRedirectV1, GspRequests.RefundSyncV1(GspRequests.RequestId(capture), 100_000_000));
        var charge = GspRequests.CaptureV1(5_000_000);
        await ProtocolAsync(ProtocolMethods.CaptureEWalletsV1, charge);
        await ProtocolAsync(ProtocolMethods.RefundEWalletsV1, GspRequests.RefundSyncV1(GspRequests.RequestId(charge), 1_000_000, piaid: GspRequests.InrWallet));

        // Remittance statements, each family.
        var (start, end) = (DateTimeOffset.UtcNow.Date.AddDays(-2), DateTimeOffset.UtcNow.Date.AddDays(-1).AddSeconds(-1));
        await ProtocolAsync(ProtocolMethods.RemittanceStatementNotificationRorpcV1, GspRequests.RemittanceStatementNotificationV1(GspRequests.NewId("S"), GspRequests.Usd, start, end, 0));
        await ProtocolAsync(ProtocolMethods.RemittanceStatementNotificationRedirectV1, GspRequests.RemittanceStatementNotificationV1(GspRequests.NewId("S"), GspRequests.Inr, start, end, 0, "INR"));
        await ProtocolAsync(ProtocolMethods.RemittanceStatementNotificationEWalletsV1, GspRequests.RemittanceStatementNotificationV1(GspRequests.NewId("S"), GspRequests.InrWallet, start, end, 0, "INR"));
        await ProtocolAsync(ProtocolMethods.RemittanceStatementNotificationRorpcV2, GspRequests.RemittanceStatementNotificationV2(GspRequests.NewId("S"), GspRequests.Usd, start, end, 0, 0));
        Assert.Empty(ProtocolMethods.All.Except(_called));
    }

    private static string PaymentReport(string piaid) =>
        GspRequests.StorePayment("STORE-" + Guid.NewGuid().ToString("N")[..12], piaid).ToJsonString();

    [Fact]
    public async Task Queue_functions_finish_the_work_the_http_functions_queued()
    {
        var generate = GspRequests.NewId();
        var number = (await ProtocolAsync(ProtocolMethods.GenerateReferenceNumberV1, GspRequests.GenerateV1(generate)))
            ["displayableReferenceNumber"]!["barcodeWithPrintableString"]!["printableString"]!.GetValue<string>();
        Assert.Equal(200, (await HttpAsync("ReportPayment", "POST", PaymentReport(GspRequests.Usd), new() { ["referenceNumber"] = number })).Status);
        await QueueAsync("SendNotification", await NextMessageAsync(QueueNames.Notifications));
        Assert.True(await _google.WaitForAcceptedAsync(1, TimeSpan.FromSeconds(10)), "the paid notification did not reach Google");

        var refund = GspRequests.NewId();
        await ProtocolAsync(ProtocolMethods.AsynchronousRefundV1, GspRequests.RefundV1(generate, 2_000_000, id: refund));
        await QueueAsync("FinishRefund", await NextMessageAsync(QueueNames.Refunds)); // books it and notifies Google itself
        Assert.True(await _google.WaitForAcceptedAsync(2, TimeSpan.FromSeconds(10)), "the refund result did not reach Google");

        var (status, body) = await HttpAsync("GetOperation", "GET", route: new() { ["paymentIntegratorAccountId"] = GspRequests.Usd, ["requestId"] = refund });
        Assert.True(status == 200, body);
        Assert.Contains("SUCCESS", body, StringComparison.Ordinal);

        var reserve = GspRequests.NewId();
        await ProtocolAsync(ProtocolMethods.ReserveFundsV1, GspRequests.ReserveFundsV1(reserve));
        await ProtocolAsync(ProtocolMethods.CancelFundsReservationV1, GspRequests.CancelFundsReservationV1(reserve));
        await QueueAsync("FinishReservationCancellation", await NextMessageAsync(QueueNames.ReservationCancellations));
        Assert.True(await _google.WaitForAcceptedAsync(3, TimeSpan.FromSeconds(10)), "the cancellation result did not reach Google");
    }

    [Fact]
    public async Task Internal_functions_answer_from_the_worker_container()
    {
        Assert.Equal(200, (await HttpAsync("Health", "GET")).Status);
        var (attention, list) = await HttpAsync("NeedsAttention", "GET");
        Assert.True(attention == 200, list);
        Assert.Equal(404, (await HttpAsync("RequeueOperation", "POST", route: new() { ["paymentIntegratorAccountId"] = GspRequests.Usd, ["requestId"] = GspRequests.NewId() })).Status);
    }

    [Fact]
    public async Task Timer_functions_run_with_a_TimerInfo()
    {
        // Work for each timer: an idempotency record past its retention, an operation whose queue message was lost.
        var store = _app.Services.GetRequiredService<TransactionStore>();
        var now = DateTimeOffset.UtcNow;
        var expired = new LedgerEntryRow("!timer", "req|expired", "m", "expired", "fp", "{}", now.AddDays(-400), now.AddDays(-1));
        await store.Transactions.InsertAsync(expired.ToEntity());
        var (partition, row) = ("timer|relay", "op|lost");
        await store.Transactions.InsertAsync((Operations.New(partition, row, OperationKinds.Refund, "P", "R", QueueNames.Notifications,
            GoogleMethods.RefundResultNotificationV1, now.AddDays(-1)) with { DueAt = now.AddHours(-1) }).ToEntity());
        await store.Outbox.InsertAsync(new OutboxRow(new WorkItem(partition, row), QueueNames.Notifications, now.AddDays(-1)).ToEntity());

        var timers = _functions.Where(f => f.Trigger is TimerFunctionTrigger).ToList();
        Assert.Equal(["IdempotencyRetention", "OutboxRelay"], timers.Select(f => f.Name).Order());
        foreach (var timer in timers)
            await timer.InvokeTimerAsync(_app.Services,
                new TimerInfo { ScheduleStatus = new ScheduleStatus { Last = now.UtcDateTime.AddMinutes(-1), Next = now.UtcDateTime.AddMinutes(1), LastUpdated = now.UtcDateTime } }, CancellationToken.None);

        Assert.Null(await store.Transactions.GetOrNullAsync(expired.Partition, expired.Row));
        Assert.Equal(1, OperationRow.From((await store.Transactions.GetOrNullAsync(partition, row))!).RelayCount);
        Assert.Equal(new WorkItem(partition, row), WorkItem.Parse(await NextMessageAsync(QueueNames.Notifications)));
    }
}
