using Azure;
using Azure.Data.Tables;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Payments.Core.Hosting;
using Payments.Core.Protocol;
using Payments.Core.Storage;
using Payments.Core.Transactions;
using Payments.StandIns.Chaos;
using Payments.StandIns.Gsp;
using Payments.Core.Idempotency;

namespace Payments.Tests.Crash;

/// <summary>The crash and soak tests start host processes, their own Azurite and proxies: they run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class ChaosCollection
{
    public const string Name = "Chaos (out-of-process hosts)";
}

/// <summary>One rig (Azurite, proxies, stand-ins) for all crash tests; each test starts its own host process(es).</summary>
public sealed class CrashRigFixture : IAsyncLifetime
{
    public ChaosRig Rig { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Rig = await ChaosRig.StartAsync(new ChaosRigOptions { RetryBaseMilliseconds = 100, MaxAttempts = 8, RelayGraceSeconds = 2 });

    public async Task DisposeAsync() => await Rig.DisposeAsync();
}

/// <summary>What the crash tests do and check, against one rig.</summary>
public sealed class CrashSteps(ChaosRig rig)
{
    public const string Piaid = GspRequests.Usd;
    private TableClient Transactions => rig.Tables.GetTableClient(TableNames.Transactions);

    /// <summary>generateReferenceNumber v1, the payment seeded in CRM.COM, then the store payment.</summary>
    public async Task<(string GenerateRequestId, string Number)> PaidNumberAsync(GspClient client, long micros)
    {
        var id = GspRequests.NewId("G");
        var (status, body) = await client.PostAsync(ProtocolMethods.GenerateReferenceNumberV1.Route, GspRequests.GenerateV1(id, micros).ToJsonString());
        Assert.True(status == 200, body);
        var number = GspRequests.ReferenceNumberOf(JsonNode.Parse(body))!;
        rig.Crm.AddPostedPayment(number, micros / 1_000_000m);
        var (payStatus, payBody) = await client.PayAsync(Piaid, number, "STORE-" + id);
        Assert.True(payStatus == 200, payBody);
        return (id, number);
    }

    public async Task<string> RefundAsync(GspClient client, string generateRequestId, long micros)
    {
        var id = GspRequests.NewId("R");
        var (status, body) = await client.PostAsync(ProtocolMethods.AsynchronousRefundV1.Route, GspRequests.RefundV1(generateRequestId, micros, id: id).ToJsonString());
        Assert.True(status == 200, body);
        Assert.Contains("acknowledged", body, StringComparison.Ordinal);
        return id;
    }

    public static string Partition(string generateRequestId) => Keys.ReferenceNumberPartition(Piaid, generateRequestId);
    public static string NotificationId(string generateRequestId, string refundRequestId) =>
        Operations.NotificationRequestId(Partition(generateRequestId), Keys.OperationRow(refundRequestId));
    public static string BackOfficeCode(string refundRequestId) => Operations.BackOfficeCode(Piaid, refundRequestId);

    public async Task<OperationRow?> OperationAsync(string generateRequestId, string refundRequestId) =>
        await Transactions.GetOrNullAsync(Partition(generateRequestId), Keys.OperationRow(refundRequestId)) is { } row ? OperationRow.From(row) : null;

    public Task<TableEntity?> StateAsync(string generateRequestId) => Transactions.GetOrNullAsync(Partition(generateRequestId), Keys.StateRow(Partition(generateRequestId)));

    /// <summary>Polls (bounded) until the operation's State is one of <paramref name="states"/>.</summary>
    public async Task<OperationRow> WaitForStateAsync(string generateRequestId, string refundRequestId, TimeSpan timeout, params string[] states)
    {
        var clock = Stopwatch.StartNew();
        OperationRow? op = null;
        while (clock.Elapsed < timeout)
        {
            op = await OperationAsync(generateRequestId, refundRequestId);
            if (op is not null && states.Contains(op.State)) return op;
            await Task.Delay(100);
        }
        Assert.Fail($"operation {refundRequestId} did not reach {string.Join("/", states)} within {timeout.TotalSeconds:0} s; it is {op?.State ?? "missing"}: {op?.Attempts}");
        return null!;
    }

    /// <summary>Exactly one final result, delivered to Google (same requestId and result on every attempt), one booking.</summary>
    public async Task AssertFinishedOnceAsync(string generateRequestId, string refundRequestId, string expectedResult, TimeSpan timeout, int expectedBookings = 1)
    {
        var op = await WaitForStateAsync(generateRequestId, refundRequestId, timeout, OperationStates.Done);
        Assert.Equal(expectedResult, op.Result);
        var notificationId = NotificationId(generateRequestId, refundRequestId);
        Assert.Equal(notificationId, op.NotificationRequestId);
        Assert.True(rig.Google.IsAccepted(notificationId), "Google never accepted " + notificationId);
        var attempts = rig.Google.AttemptsFor(notificationId);
        Assert.NotEmpty(attempts);
        Assert.All(attempts, a => Assert.Equal(expectedResult, a.Fields.GetValueOrDefault("refundResult")));
        Assert.All(attempts, a => Assert.Equal(refundRequestId, a.Fields.GetValueOrDefault("refundRequestId")));
        Assert.Empty(rig.Google.Violations);
        Assert.Equal(expectedBookings, rig.Crm.BookingCount(BackOfficeCode(refundRequestId)));
    }

    public void AssertNoSecretsLogged()
    {
        var leaked = rig.LinesWithSecrets();
        Assert.True(leaked.Count == 0, "back-office secrets in host logs:\n" + string.Join('\n', leaked.Take(5)));
    }

    /// <summary>Polls (bounded) until the CRM.COM stand-in holds the booking.</summary>
    public async Task WaitForBookingAsync(string refundRequestId, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (rig.Crm.BookingCount(BackOfficeCode(refundRequestId)) > 0) return;
            await Task.Delay(25);
        }
        Assert.Fail("the CRM.COM stand-in never received the booking of " + refundRequestId);
    }
}
