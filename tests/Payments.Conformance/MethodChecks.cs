using System.Text.Json.Nodes;
using Payments.Core.Protocol;
using Payments.StandIns.Gsp;

namespace Payments.Conformance;

/// <summary>
/// The checks of each method the app serves (functions/Payments.Functions/ProtocolFunctions.cs, docs/protocol.md
/// §2 and §6). Every object a check creates is a normal one of the test account: reference numbers, reservations
/// and mandates the check made are cancelled again where the protocol has a cancellation.
/// </summary>
public sealed class MethodChecks(ProtocolChecks c)
{
    private const long Micros = 2_000_000;

    public async Task RunAsync()
    {
        await EchoAsync(ProtocolMethods.EchoRorpcV1, id => GspRequests.EchoV1(id: id), carriesAccount: false).ConfigureAwait(false);
        await EchoAsync(ProtocolMethods.EchoRorpcV2, id => GspRequests.EchoV2(id: id, piaid: c.Account), carriesAccount: true).ConfigureAwait(false);
        await EchoAsync(ProtocolMethods.EchoRedirectV1, id => GspRequests.EchoV1(id: id), carriesAccount: false).ConfigureAwait(false);
        await EchoAsync(ProtocolMethods.EchoEWalletsV1, id => GspRequests.EchoV1(id: id), carriesAccount: false).ConfigureAwait(false);
        await ReferenceNumbersV1Async().ConfigureAwait(false);
        await ReferenceNumbersV2Async().ConfigureAwait(false);
        await ReservationsAsync().ConfigureAwait(false);
        await MandatesAsync().ConfigureAwait(false);
        await SynchronousMoneyAsync().ConfigureAwait(false);
        await CancelReferenceNumberV1Async().ConfigureAwait(false);
        await RefundV2Async().ConfigureAwait(false);
        await StatementsAsync().ConfigureAwait(false);
    }

    /// <summary>remittanceStatementNotification in every family (docs/protocol.md, "Settlement"): acknowledged, replayed,
    /// 412 on a changed total, the header errors. The statements are empty (nothing owed); Google knows none of them,
    /// so the deployment's reconciliation parks them for an operator.</summary>
    private async Task StatementsAsync()
    {
        var end = DateTimeOffset.UtcNow;
        var start = end.AddDays(-1);
        foreach (var method in new[] { ProtocolMethods.RemittanceStatementNotificationRorpcV1, ProtocolMethods.RemittanceStatementNotificationRorpcV2,
            ProtocolMethods.RemittanceStatementNotificationRedirectV1, ProtocolMethods.RemittanceStatementNotificationEWalletsV1 })
        {
            JsonObject Build(string id, long due = 0) => method.Version == 2
                ? GspRequests.RemittanceStatementNotificationV2(id, c.Account, start, end, due, 0, c.Currency)
                : GspRequests.RemittanceStatementNotificationV1(id, c.Account, start, end, due, c.Currency);
            var id = c.NewId("ST");
            await c.IdempotentAsync(method, Build(id), Build(id, 1), json =>
                Expect.Equal(method.Version == 2 ? "{\"accepted\":{}}" : "\"ACCEPTED\"", json["result"]?.ToJsonString(), "result")).ConfigureAwait(false);
            await c.HeaderErrorsAsync(method, fresh => Build(fresh), "remittanceStatementSummary").ConfigureAwait(false);
        }
    }

    /// <summary>echo and Google's probes of it (docs/protocol.md §7).</summary>
    private async Task EchoAsync(ProtocolMethod echo, Func<string, JsonObject> build, bool carriesAccount)
    {
        var side = c.Caller.Side;
        await c.CheckAsync(echo, "success", async () =>
        {
            var json = Expect.Success(await c.Caller.PostAsync(echo.Route, build(c.NewId("E"))).ConfigureAwait(false), echo);
            Expect.Equal("client message", json["clientMessage"]?.GetValue<string>(), "clientMessage");
            Expect.Text(json, "serverMessage", "serverMessage");
        }).ConfigureAwait(false);
        await c.HeaderErrorsAsync(echo, build, "clientMessage", carriesAccount).ConfigureAwait(false);
        await c.CheckAsync(echo, "probe: non-JSON", async () =>
            Expect.Error(await c.Caller.PostTextAsync(echo.Route, ProtocolChecks.NotJson).ConfigureAwait(false), echo, 400, "INVALID_DECRYPTED_REQUEST")).ConfigureAwait(false);
        if (side.Stranger is not null)
            await c.CheckAsync(echo, "probe: wrong signing key", async () =>
                Expect.Refused(await c.Caller.PostAsync(echo.Route, build(c.NewId("E")), side.Stranger).ConfigureAwait(false), echo, 401, "INVALID_PAYLOAD_SIGNATURE")).ConfigureAwait(false);
        if (side.ToUnknownKey is not null)
            await c.CheckAsync(echo, "probe: unknown encryption key", async () =>
                Expect.Refused(await c.Caller.PostAsync(echo.Route, build(c.NewId("E")), side.ToUnknownKey).ConfigureAwait(false), echo, 400, "INVALID_PAYLOAD_ENCRYPTION")).ConfigureAwait(false);
        if (side.SeveralSigners is not null)
            await c.CheckAsync(echo, "probe: several signatures, one by Google", async () =>
            {
                var json = Expect.Success(await c.Caller.PostAsync(echo.Route, build(c.NewId("E")), side.SeveralSigners).ConfigureAwait(false), echo);
                Expect.Equal("client message", json["clientMessage"]?.GetValue<string>(), "clientMessage");
            }).ConfigureAwait(false);
    }

    /// <summary>RORPC v1: generateReferenceNumber, asynchronousRefund.</summary>
    private async Task ReferenceNumbersV1Async()
    {
        var generate = ProtocolMethods.GenerateReferenceNumberV1;
        var refund = ProtocolMethods.AsynchronousRefundV1;
        JsonObject Generate(string id, long micros = Micros) => GspRequests.GenerateV1(id: id, micros: micros, currency: c.Currency, piaid: c.Account);
        JsonObject Refund(string generateId, long micros, string id, string? currency = null) =>
            GspRequests.RefundV1(generateRequestId: generateId, micros: micros, id: id, currency: currency ?? c.Currency, piaid: c.Account);

        var generateId = c.NewId("G");
        var first = await c.IdempotentAsync(generate, Generate(generateId), Generate(generateId, Micros + 1), json => Expect.Text(json, "reference number",
            "displayableReferenceNumber", "barcodeWithPrintableString", "printableString")).ConfigureAwait(false);
        await c.HeaderErrorsAsync(generate, id => Generate(id), "amount").ConfigureAwait(false);
        await c.CheckAsync(generate, "an error answer is not stored", async () =>
        {
            // docs/protocol.md §5: the same requestId, corrected, is judged afresh.
            var id = c.NewId("G");
            var incomplete = Generate(id);
            incomplete.Remove("amount");
            Expect.Error(await c.Caller.PostAsync(generate.Route, incomplete).ConfigureAwait(false), generate, 400, "MISSING_REQUIRED_FIELD");
            Expect.Success(await c.Caller.PostAsync(generate.Route, Generate(id)).ConfigureAwait(false), generate);
        }).ConfigureAwait(false);

        await RefundAsync(refund, Refund, generateId, first).ConfigureAwait(false);
    }

    /// <summary>asynchronousRefund of either version against the reference number <paramref name="generateId"/> made
    /// (<paramref name="generated"/>: its answer, null when that failed): unknown → 404, unpaid → 400, then paid:
    /// success/replay/412, above the balance and another currency → 400.</summary>
    /// <param name="build">(generateId, micros, requestId, currency or null for the account's) → the request</param>
    private async Task RefundAsync(ProtocolMethod refund, Func<string, long, string, string?, JsonObject> build, string generateId, JsonNode? generated)
    {
        JsonObject Refund(string target, long micros, string id, string? currency = null) => build(target, micros, id, currency);
        await c.ErrorAsync(refund, "unknown reference number", 404, "INVALID_IDENTIFIER", Refund(c.NewId("UNKNOWN"), 1_000, c.NewId("R"))).ConfigureAwait(false);
        await c.HeaderErrorsAsync(refund, id => Refund(generateId, 1_000, id), "refundAmount").ConfigureAwait(false);
        if (generated is null)
        {
            c.Skip(refund, "unpaid reference number", "generateReferenceNumber failed");
            return;
        }
        await c.ErrorAsync(refund, "unpaid reference number", 400, "PRECONDITION_VIOLATION", Refund(generateId, 1_000, c.NewId("R"))).ConfigureAwait(false);

        var number = GspRequests.ReferenceNumberOf(generated)!;
        if (!await c.CheckAsync(refund, "store payment of the reference number (internal route)", () => c.PayAsync(number)).ConfigureAwait(false))
        {
            foreach (var check in new[] { "success", "replay identical", "412 on a changed body", "above the remaining balance", "in another currency" })
                c.Skip(refund, check, "needs the paid reference number");
            return;
        }
        var refundId = c.NewId("R");
        await c.IdempotentAsync(refund, Refund(generateId, Micros / 4, refundId), Refund(generateId, Micros / 4 + 1, refundId),
            json => Expect.Equal("""{"acknowledged":{}}""", json["result"]?.ToJsonString(), "result")).ConfigureAwait(false);
        await c.ErrorAsync(refund, "above the remaining balance", 400, "PRECONDITION_VIOLATION", Refund(generateId, Micros, c.NewId("R"))).ConfigureAwait(false);
        await c.ErrorAsync(refund, "in another currency", 400, "PRECONDITION_VIOLATION",
            Refund(generateId, 1_000, c.NewId("R"), c.Currency == "EUR" ? "USD" : "EUR")).ConfigureAwait(false);
    }

    /// <summary>RORPC v2: generateReferenceNumber, cancelReferenceNumber.</summary>
    private async Task ReferenceNumbersV2Async()
    {
        var generate = ProtocolMethods.GenerateReferenceNumberV2;
        var cancel = ProtocolMethods.CancelReferenceNumberV2;
        JsonObject Generate(string id, long micros = Micros) => GspRequests.GenerateV2(id: id, micros: micros, currency: c.Currency, piaid: c.Account);
        JsonObject Cancel(string generateId, string id) => GspRequests.CancelReferenceNumberV2(generateRequestId: generateId, id: id, piaid: c.Account);

        var generateId = c.NewId("G");
        await c.IdempotentAsync(generate, Generate(generateId), Generate(generateId, Micros + 1), json => Expect.Text(json, "reference number",
            "result", "success", "displayableReferenceNumber", "barcodeWithPrintableString", "printableString")).ConfigureAwait(false);
        await c.HeaderErrorsAsync(generate, id => Generate(id), "amount").ConfigureAwait(false);

        await c.ErrorAsync(cancel, "unknown reference number", 404, "INVALID_IDENTIFIER", Cancel(c.NewId("UNKNOWN"), c.NewId("C"))).ConfigureAwait(false);
        await c.HeaderErrorsAsync(cancel, id => Cancel(generateId, id), "generateReferenceNumberRequestId").ConfigureAwait(false);
        var otherId = c.NewId("G");
        var cancelId = c.NewId("C");
        await c.CheckAsync(cancel, "second reference number to cancel", () => c.StepAsync(generate, Generate(otherId), "generateReferenceNumber")).ConfigureAwait(false);
        var success = """{"success":{}}""";
        await c.IdempotentAsync(cancel, Cancel(generateId, cancelId), Cancel(otherId, cancelId),
            json => Expect.Equal(success, json["result"]?.ToJsonString(), "result")).ConfigureAwait(false);
        await c.CheckAsync(cancel, "already cancelled", async () =>
            Expect.Equal(success, Expect.Success(await c.Caller.PostAsync(cancel.Route, Cancel(generateId, c.NewId("C"))).ConfigureAwait(false), cancel)["result"]?.ToJsonString(), "result")).ConfigureAwait(false);
        await c.CheckAsync(cancel, "success on the second reference number", async () =>
            Expect.Equal(success, Expect.Success(await c.Caller.PostAsync(cancel.Route, Cancel(otherId, c.NewId("C"))).ConfigureAwait(false), cancel)["result"]?.ToJsonString(), "result")).ConfigureAwait(false);
        await c.CheckAsync(cancel, "already paid", async () =>
        {
            if (c.Options.InternalKey is null) throw new CheckSkippedException("needs a paid reference number: give --internal-key");
            var paidId = c.NewId("G");
            var generated = await c.StepAsync(generate, Generate(paidId), "generateReferenceNumber").ConfigureAwait(false);
            await c.PayAsync(GspRequests.ReferenceNumberOf(generated)!).ConfigureAwait(false);
            var json = Expect.Success(await c.Caller.PostAsync(cancel.Route, Cancel(paidId, c.NewId("C"))).ConfigureAwait(false), cancel);
            Expect.Equal("""{"referenceNumberAlreadyPaid":{}}""", json["result"]?.ToJsonString(), "result");
        }).ConfigureAwait(false);
    }

    /// <summary>redirect-payment-token v1: reserveFunds, cancelFundsReservation.</summary>
    private async Task ReservationsAsync()
    {
        var reserve = ProtocolMethods.ReserveFundsV1;
        var cancel = ProtocolMethods.CancelFundsReservationV1;
        JsonObject Reserve(string id, long micros = Micros) => GspRequests.ReserveFundsV1(id: id, micros: micros, currency: c.Currency, piaid: c.Account);
        JsonObject Cancel(string reserveId, string id) => GspRequests.CancelFundsReservationV1(reserveRequestId: reserveId, id: id, piaid: c.Account);

        var reserveId = c.NewId("S");
        await c.IdempotentAsync(reserve, Reserve(reserveId), Reserve(reserveId, Micros + 1), json =>
        {
            Expect.Equal("SUCCESS", json["result"]?.ToJsonString().Trim('"'), "result");
            Expect.Text(json, "paymentIntegratorTransactionId", "paymentIntegratorTransactionId");
        }).ConfigureAwait(false);
        await c.HeaderErrorsAsync(reserve, id => Reserve(id), "amount").ConfigureAwait(false);
        await CancellationAsync(cancel, Cancel, reserveId, async () =>
        {
            var secondId = c.NewId("S");
            await c.StepAsync(reserve, Reserve(secondId), "reserveFunds").ConfigureAwait(false);
            return secondId;
        }, "reserveFundsRequestId").ConfigureAwait(false);
    }

    /// <summary>e-wallets v1: createMandate, cancelMandate.</summary>
    private async Task MandatesAsync()
    {
        var create = ProtocolMethods.CreateMandateV1;
        var cancel = ProtocolMethods.CancelMandateV1;
        JsonObject Create(string mandateId, string id) => GspRequests.CreateMandateV1(mandateId: mandateId, id: id, piaid: c.Account);
        JsonObject Cancel(string mandateId, string id) => GspRequests.CancelMandateV1(mandateId: mandateId, id: id, piaid: c.Account);

        var mandateId = c.NewId("M");
        var createId = c.NewId("K");
        var renamed = Create(mandateId, createId);
        renamed["mandateName"] = "Another name";
        await c.IdempotentAsync(create, Create(mandateId, createId), renamed,
            json => Expect.Equal("SUCCESS", json["result"]?.ToJsonString().Trim('"'), "result")).ConfigureAwait(false);
        await c.HeaderErrorsAsync(create, id => Create(c.NewId("M"), id), "mandateId").ConfigureAwait(false);
        var secondMandate = c.NewId("M");
        await CancellationAsync(cancel, Cancel, mandateId, async () =>
        {
            await c.StepAsync(create, Create(secondMandate, c.NewId("K")), "createMandate").ConfigureAwait(false);
            return secondMandate;
        }, "mandateId").ConfigureAwait(false);
    }

    /// <summary>The synchronous captures and refunds (docs/protocol.md §6, §12): redirect-payment-token v1
    /// captureFundsReservation and refund, e-wallets v1 capture (with a token) and refund.</summary>
    private async Task SynchronousMoneyAsync()
    {
        var reserve = ProtocolMethods.ReserveFundsV1;
        var capture = ProtocolMethods.CaptureFundsReservationV1;
        JsonObject Capture(string reserveId, string id, long micros = Micros) =>
            GspRequests.CaptureFundsReservationV1(reserveId, micros, id, c.Account);
        var reserveId = c.NewId("S");
        await c.StepAsync(reserve, GspRequests.ReserveFundsV1(id: reserveId, micros: Micros, currency: c.Currency, piaid: c.Account), "reserveFunds").ConfigureAwait(false);
        var captureId = c.NewId("P");
        await c.IdempotentAsync(capture, Capture(reserveId, captureId), Capture(reserveId, captureId, Micros - 1), json =>
        {
            Expect.Equal("SUCCESS", json["result"]?.ToJsonString().Trim('"'), "result");
            Expect.Text(json, "paymentIntegratorCaptureId", "paymentIntegratorCaptureId");
        }).ConfigureAwait(false);
        await c.HeaderErrorsAsync(capture, id => Capture(reserveId, id), "amount").ConfigureAwait(false);
        await c.ErrorAsync(capture, "unknown identifier", 404, "INVALID_IDENTIFIER", Capture(c.NewId("UNKNOWN"), c.NewId("P"))).ConfigureAwait(false);
        await c.ErrorAsync(capture, "second capture", 400, "PRECONDITION_VIOLATION", Capture(reserveId, c.NewId("P"), 1)).ConfigureAwait(false);
        await RefundsAsync(ProtocolMethods.RefundRedirectV1, captureId).ConfigureAwait(false);

        var charge = ProtocolMethods.CaptureEWalletsV1;
        JsonObject Charge(string id, long micros = Micros) => GspRequests.CaptureV1(micros, c.Currency, id: id, piaid: c.Account);
        var chargeId = c.NewId("W");
        await c.IdempotentAsync(charge, Charge(chargeId), Charge(chargeId, Micros - 1), json =>
        {
            Expect.Equal("SUCCESS", json["result"]?.ToJsonString().Trim('"'), "result");
            Expect.Text(json, "paymentIntegratorTransactionId", "paymentIntegratorTransactionId");
        }).ConfigureAwait(false);
        await c.HeaderErrorsAsync(charge, id => Charge(id), "amount").ConfigureAwait(false);
        await c.ErrorAsync(charge, "unknown mandate", 404, "INVALID_IDENTIFIER",
            GspRequests.CaptureV1(Micros, c.Currency, mandateId: c.NewId("UNKNOWN"), id: c.NewId("W"), piaid: c.Account)).ConfigureAwait(false);
        await RefundsAsync(ProtocolMethods.RefundEWalletsV1, chargeId).ConfigureAwait(false);
    }

    /// <summary>A synchronous refund of the capture <paramref name="captureId"/> (of <see cref="Micros"/>): success, replay,
    /// 412, header errors, above what is left, unknown capture.</summary>
    private async Task RefundsAsync(ProtocolMethod refund, string captureId)
    {
        JsonObject Refund(string id, long micros, string? capture = null) => GspRequests.RefundSyncV1(capture ?? captureId, micros, c.Currency, id, c.Account);
        var refundId = c.NewId("R");
        await c.IdempotentAsync(refund, Refund(refundId, Micros / 2), Refund(refundId, Micros / 4), json =>
        {
            Expect.Equal("SUCCESS", json["result"]?.ToJsonString().Trim('"'), "result");
            Expect.Text(json, "paymentIntegratorRefundId", "paymentIntegratorRefundId");
        }).ConfigureAwait(false);
        await c.HeaderErrorsAsync(refund, id => Refund(id, 1), "refundAmount").ConfigureAwait(false);
        await c.ErrorAsync(refund, "above what is left", 400, "PRECONDITION_VIOLATION", Refund(c.NewId("R"), Micros)).ConfigureAwait(false);
        await c.ErrorAsync(refund, "unknown capture", 404, "INVALID_IDENTIFIER", Refund(c.NewId("R"), 1, c.NewId("UNKNOWN"))).ConfigureAwait(false);
    }

    /// <summary>A cancellation answered <c>SUCCESS</c> (cancelFundsReservation, cancelMandate; docs/protocol.md §6):
    /// unknown target → 404, success/replay/412 (the changed body names a second target), already cancelled → SUCCESS.</summary>
    /// <param name="createSecond">creates a second target and returns its id</param>
    private async Task CancellationAsync(ProtocolMethod cancel, Func<string, string, JsonObject> build, string targetId, Func<Task<string>> createSecond, string requiredField)
    {
        await c.ErrorAsync(cancel, "unknown identifier", 404, "INVALID_IDENTIFIER", build(c.NewId("UNKNOWN"), c.NewId("C"))).ConfigureAwait(false);
        await c.HeaderErrorsAsync(cancel, id => build(targetId, id), requiredField).ConfigureAwait(false);
        string? second = null;
        await c.CheckAsync(cancel, "second target to cancel", async () => second = await createSecond().ConfigureAwait(false)).ConfigureAwait(false);
        var cancelId = c.NewId("C");
        await c.IdempotentAsync(cancel, build(targetId, cancelId), build(second ?? c.NewId("UNKNOWN"), cancelId),
            json => Expect.Equal("SUCCESS", json["result"]?.ToJsonString().Trim('"'), "result")).ConfigureAwait(false);
        await c.CheckAsync(cancel, "already cancelled", async () =>
            Expect.Equal("SUCCESS", Expect.Success(await c.Caller.PostAsync(cancel.Route, build(targetId, c.NewId("C"))).ConfigureAwait(false), cancel)["result"]?.ToJsonString().Trim('"'), "result")).ConfigureAwait(false);
        if (second is not null)
            await c.CheckAsync(cancel, "success on the second target", async () =>
                Expect.Equal("SUCCESS", Expect.Success(await c.Caller.PostAsync(cancel.Route, build(second, c.NewId("C"))).ConfigureAwait(false), cancel)["result"]?.ToJsonString().Trim('"'), "result")).ConfigureAwait(false);
    }

    /// <summary>RORPC v1 cancelReferenceNumber, which names the number itself (docs/protocol.md §6).</summary>
    private async Task CancelReferenceNumberV1Async()
    {
        var generate = ProtocolMethods.GenerateReferenceNumberV1;
        var cancel = ProtocolMethods.CancelReferenceNumberV1;
        async Task<string> NumberAsync() => GspRequests.ReferenceNumberOf(await c.StepAsync(generate,
            GspRequests.GenerateV1(id: c.NewId("G"), micros: Micros, currency: c.Currency, piaid: c.Account), "generateReferenceNumber").ConfigureAwait(false))!;
        JsonObject Cancel(string number, string id) => GspRequests.CancelReferenceNumberV1(referenceNumber: number, id: id, piaid: c.Account);

        string? target = null;
        if (!await c.CheckAsync(cancel, "reference number to cancel", async () => target = await NumberAsync().ConfigureAwait(false)).ConfigureAwait(false)) return;
        await CancellationAsync(cancel, Cancel, target!, NumberAsync, "referenceNumber").ConfigureAwait(false);
        await c.CheckAsync(cancel, "already paid", async () =>
        {
            if (c.Options.InternalKey is null) throw new CheckSkippedException("needs a paid reference number: give --internal-key");
            var paid = await NumberAsync().ConfigureAwait(false);
            await c.PayAsync(paid).ConfigureAwait(false);
            var json = Expect.Success(await c.Caller.PostAsync(cancel.Route, Cancel(paid, c.NewId("C"))).ConfigureAwait(false), cancel);
            Expect.Equal("REFERENCE_NUMBER_ALREADY_PAID", json["result"]?.ToJsonString().Trim('"'), "result");
        }).ConfigureAwait(false);
    }

    /// <summary>RORPC v2 asynchronousRefund, against a v2 reference number.</summary>
    private async Task RefundV2Async()
    {
        var refund = ProtocolMethods.AsynchronousRefundV2;
        var generateId = c.NewId("G");
        JsonNode? generated = null;
        await c.CheckAsync(refund, "reference number to refund", async () => generated = await c.StepAsync(ProtocolMethods.GenerateReferenceNumberV2,
            GspRequests.GenerateV2(id: generateId, micros: Micros, currency: c.Currency, piaid: c.Account), "generateReferenceNumber").ConfigureAwait(false)).ConfigureAwait(false);
        await RefundAsync(refund, (target, micros, id, currency) =>
            GspRequests.RefundV2(generateRequestId: target, micros: micros, id: id, currency: currency ?? c.Currency, piaid: c.Account), generateId, generated).ConfigureAwait(false);
    }
}
