using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Payments.Core.Hosting;
using Payments.Core.Protocol;
using Payments.StandIns.Azurite;
using Payments.Tests.EndToEnd;
using Payments.StandIns.Gsp;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Adversarial;

/// <summary>The adversarial test classes share one host (and its log scan at the end).</summary>
[CollectionDefinition(Name)]
public sealed class AdversarialCollection : ICollectionFixture<AdversarialHost>
{
    public const string Name = "adversarial";
}

/// <summary>
/// One local host with tables of its own on the shared Azurite (so that storage can be compared before and after), holding a
/// secret of every kind the host can hold, with ASP.NET Core's request logging captured. Disposing it
/// scans every line the host logged for those secrets and for raw control characters.
/// </summary>
public sealed class AdversarialHost : IAsyncLifetime
{
    public const string PgpPassphrase = "adversarial-pgp-passphrase-7f3a";
    public const string PgpPrivateKeyMaterial = "lQOYBGd0c3R0ZXN0a2V5bWF0ZXJpYWxub3RyZWFsAQgAnotARealKeyButSecretMaterial";
    public const string CrmPassword = "adversarial-crm-password-91c2";

    public AzuriteProcess Azurite { get; private set; } = null!;
    public LocalHostUnderTest Host { get; private set; } = null!;

    /// <summary>Transactions the routes that act on one need: prepared once.</summary>
    public string CancelTarget { get; private set; } = "";
    public string PaidGenerateId { get; private set; } = "";
    public string ReserveTarget { get; private set; } = "";
    public string MandateTarget { get; private set; } = "";
    /// <summary>A reservation to capture (captured by the first valid capture; later ones are refused by state).</summary>
    public string CaptureReservationTarget { get; private set; } = "";
    /// <summary>A large capture of each family to refund, and a mandate without frequency to charge.</summary>
    public string RedirectCaptureTarget { get; private set; } = "";
    public string WalletCaptureTarget { get; private set; } = "";
    public string ChargeMandateTarget { get; private set; } = "";

    /// <summary>Routes whose valid request acts once per target (a reservation is captured once): a corrected call
    /// after the first is refused by the state, not by a claim on its requestId.</summary>
    public IReadOnlySet<ProtocolMethod> OncePerTarget { get; } = new HashSet<ProtocolMethod> { ProtocolMethods.CaptureFundsReservationV1 };
    /// <summary>A v1 reference number (the number itself) to cancel, and a paid v2 number's generate requestId.</summary>
    public string CancelTargetV1 { get; private set; } = "";
    public string PaidGenerateIdV2 { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Azurite = await AzuriteProcess.SharedAsync();
        Host = await LocalHostUnderTest.StartAsync(Azurite, new Dictionary<string, string?>
        {
            ["Security:Pgp:Passphrase"] = PgpPassphrase,
            ["Security:Pgp:IntegratorPrivateKeys"] = "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n" + PgpPrivateKeyMaterial + "\n-----END PGP PRIVATE KEY BLOCK-----",
            ["BackOffice:CrmCom:Password"] = CrmPassword,
            // The request lines ("Request starting … ?code=…") are what leaked the key.
            ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore.Server.Kestrel"] = "Debug",
        },
        // A client that stops sending its body is timed out after 2 s rather than 5.
        configure: builder => builder.WebHost.ConfigureKestrel(k => k.Limits.MinRequestBodyDataRate = new MinDataRate(240, TimeSpan.FromSeconds(2))));
        CancelTarget = GspRequests.NewId("G");
        await Ok(ProtocolMethods.GenerateReferenceNumberV2, GspRequests.GenerateV2(CancelTarget));
        (PaidGenerateId, _) = await Host.PaidReferenceNumberAsync(5_000_000_000);
        ReserveTarget = GspRequests.NewId("F");
        await Ok(ProtocolMethods.ReserveFundsV1, GspRequests.ReserveFundsV1(ReserveTarget));
        MandateTarget = GspRequests.NewId("MD");
        await Ok(ProtocolMethods.CreateMandateV1, GspRequests.CreateMandateV1(MandateTarget));
        CaptureReservationTarget = GspRequests.NewId("F");
        await Ok(ProtocolMethods.ReserveFundsV1, GspRequests.ReserveFundsV1(CaptureReservationTarget));
        var redirectReservation = GspRequests.NewId("F");
        await Ok(ProtocolMethods.ReserveFundsV1, GspRequests.ReserveFundsV1(redirectReservation, 5_000_000_000));
        RedirectCaptureTarget = GspRequests.NewId("P");
        await Ok(ProtocolMethods.CaptureFundsReservationV1, GspRequests.CaptureFundsReservationV1(redirectReservation, 5_000_000_000, RedirectCaptureTarget));
        WalletCaptureTarget = GspRequests.NewId("W");
        await Ok(ProtocolMethods.CaptureEWalletsV1, GspRequests.CaptureV1(5_000_000_000, id: WalletCaptureTarget));
        ChargeMandateTarget = GspRequests.NewId("MD");
        var mandate = GspRequests.CreateMandateV1(ChargeMandateTarget);
        mandate.Remove("frequency");
        await Ok(ProtocolMethods.CreateMandateV1, mandate);
        var (_, generatedV1, _) = await Host.CallAsync(ProtocolMethods.GenerateReferenceNumberV1, GspRequests.GenerateV1());
        CancelTargetV1 = GspRequests.ReferenceNumberOf(generatedV1)!;
        PaidGenerateIdV2 = await Host.PaidReferenceNumberV2Async(5_000_000_000);
    }

    private async Task Ok(ProtocolMethod method, JsonObject body)
    {
        var (status, _, raw) = await Host.CallAsync(method, body);
        Assert.True(status == 200, raw);
    }

    /// <summary>A valid request of every protocol route under the given requestId: what the adversarial
    /// cases start from, and what a refused case's requestId must be able to carry afterwards.</summary>
    public IReadOnlyList<(ProtocolMethod Method, Func<string, JsonObject> Valid)> Routes =>
    [
        (ProtocolMethods.EchoRorpcV1, id => GspRequests.EchoV1(id)),
        (ProtocolMethods.EchoRorpcV2, id => GspRequests.EchoV2(id: id)),
        (ProtocolMethods.EchoRedirectV1, id => GspRequests.EchoV1(id)),
        (ProtocolMethods.EchoEWalletsV1, id => GspRequests.EchoV1(id)),
        (ProtocolMethods.GenerateReferenceNumberV1, id => GspRequests.GenerateV1(id)),
        (ProtocolMethods.GenerateReferenceNumberV2, id => GspRequests.GenerateV2(id)),
        (ProtocolMethods.CancelReferenceNumberV2, id => GspRequests.CancelReferenceNumberV2(CancelTarget, id)),
        (ProtocolMethods.AsynchronousRefundV1, id => GspRequests.RefundV1(PaidGenerateId, 1, id: id)),
        (ProtocolMethods.ReserveFundsV1, id => GspRequests.ReserveFundsV1(id)),
        (ProtocolMethods.CancelFundsReservationV1, id => GspRequests.CancelFundsReservationV1(ReserveTarget, id)),
        (ProtocolMethods.CreateMandateV1, id => GspRequests.CreateMandateV1(GspRequests.NewId("MD"), id)),
        (ProtocolMethods.CancelMandateV1, id => GspRequests.CancelMandateV1(MandateTarget, id)),
        (ProtocolMethods.CaptureFundsReservationV1, id => GspRequests.CaptureFundsReservationV1(CaptureReservationTarget, 1, id)),
        (ProtocolMethods.RefundRedirectV1, id => GspRequests.RefundSyncV1(RedirectCaptureTarget, 1, id: id)),
        (ProtocolMethods.CaptureEWalletsV1, id => GspRequests.CaptureV1(1_000_000, id: id)),
        (ProtocolMethods.CaptureEWalletsV1, id => GspRequests.CaptureV1(1_000_000, mandateId: ChargeMandateTarget, id: id)),
        (ProtocolMethods.RefundEWalletsV1, id => GspRequests.RefundSyncV1(WalletCaptureTarget, 1, id: id, piaid: GspRequests.InrWallet)),
        (ProtocolMethods.CancelReferenceNumberV1, id => GspRequests.CancelReferenceNumberV1(CancelTargetV1, id)),
        (ProtocolMethods.AsynchronousRefundV2, id => GspRequests.RefundV2(PaidGenerateIdV2, 1, id: id)),
        (ProtocolMethods.RemittanceStatementNotificationRorpcV1, id => GspRequests.RemittanceStatementNotificationV1(id, GspRequests.Usd, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow, 0)),
        (ProtocolMethods.RemittanceStatementNotificationRorpcV2, id => GspRequests.RemittanceStatementNotificationV2(id, GspRequests.Usd, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow, 0, 0)),
        (ProtocolMethods.RemittanceStatementNotificationRedirectV1, id => GspRequests.RemittanceStatementNotificationV1(id, GspRequests.Inr, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow, 0, "INR")),
        (ProtocolMethods.RemittanceStatementNotificationEWalletsV1, id => GspRequests.RemittanceStatementNotificationV1(id, GspRequests.InrWallet, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow, 0, "INR")),
    ];

    /// <summary>Every secret this host holds, as it would appear in a log line.</summary>
    public IReadOnlyList<string> Secrets =>
    [
        LocalHostUnderTest.InternalKey,
        AccountKeyOf(Azurite.ConnectionString),
        PgpPassphrase,
        PgpPrivateKeyMaterial,
        CrmPassword,
    ];

    private static string AccountKeyOf(string connection) =>
        connection.Split(';').Select(p => p.Trim()).First(p => p.StartsWith("AccountKey=", StringComparison.OrdinalIgnoreCase))["AccountKey=".Length..];

    /// <summary>Lines that carry a secret (as written or in any percent-decoding of it, in the message or
    /// its exception) or a raw control character in the message (none may).</summary>
    public List<string> UnsafeLogLines()
    {
        var secrets = Secrets.Where(s => s.Length > 0).ToList();
        return Host.Logs.GetSnapshot()
            .Where(m => m.Message.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029'))
            .Select(m => $"{m.Level} {m.Category}: {LogSafe(m.Message)}")
            .Concat(Host.Logs.Lines()
                .Where(l => LogRedactorTests.Decodings(l).Any(d => secrets.Any(s => d.Contains(s, StringComparison.Ordinal))))
                .Select(LogSafe))
            .ToList();
    }

    /// <summary>A line shown in a failure message: control characters made visible, secrets not repeated.</summary>
    public string LogSafe(string message)
    {
        foreach (var s in Secrets.Where(s => s.Length > 0)) message = message.Replace(s, "<SECRET>", StringComparison.Ordinal);
        return new string(message.Select(c => char.IsControl(c) ? '¿' : c).ToArray())[..Math.Min(message.Length, 300)];
    }

    public async Task DisposeAsync()
    {
        var unsafeLines = Host is null ? [] : UnsafeLogLines();
        if (Host is not null) await Host.DisposeAsync();
        Assert.True(unsafeLines.Count == 0, "log lines with a secret or a raw control character:\n" + string.Join("\n", unsafeLines.Take(10)));
    }
}
