using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Payments.Core.Hosting;
using Payments.Core.Protocol;

namespace Payments.Functions;

/// <summary>One HTTP function per entry of <see cref="ProtocolMethods.All"/> (Google calls these).
/// Anonymous: every call is authenticated by its signed/encrypted body, not by a function key.
/// Routes are the method's route (host.json sets routePrefix ""). The published functions.metadata is
/// checked against ProtocolMethods.All by the tests; the local host serves these methods themselves.</summary>
public sealed class ProtocolFunctions(ProtocolEndpoint endpoint)
{
    [Function("RefundableOneTimePaymentCodeV1Echo")]
    public Task<IActionResult> RefundableOneTimePaymentCodeV1Echo(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "refundable-one-time-payment-code-v1/echo")] HttpRequest request,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(request, ProtocolMethods.EchoRorpcV1, cancellationToken);

    [Function("RefundableOneTimePaymentCodeV1GenerateReferenceNumber")]
    public Task<IActionResult> RefundableOneTimePaymentCodeV1GenerateReferenceNumber(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "refundable-one-time-payment-code-v1/generateReferenceNumber")] HttpRequest request,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(request, ProtocolMethods.GenerateReferenceNumberV1, cancellationToken);

    [Function("RefundableOneTimePaymentCodeV1AsynchronousRefund")]
    public Task<IActionResult> RefundableOneTimePaymentCodeV1AsynchronousRefund(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "refundable-one-time-payment-code-v1/asynchronousRefund")] HttpRequest request,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(request, ProtocolMethods.AsynchronousRefundV1, cancellationToken);

    [Function("RefundableOneTimePaymentCodeV2Echo")]
    public Task<IActionResult> RefundableOneTimePaymentCodeV2Echo(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "refundable-one-time-payment-code-v2/echo")] HttpRequest request,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(request, ProtocolMethods.EchoRorpcV2, cancellationToken);

    [Function("RefundableOneTimePaymentCodeV2GenerateReferenceNumber")]
    public Task<IActionResult> RefundableOneTimePaymentCodeV2GenerateReferenceNumber(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "refundable-one-time-payment-code-v2/generateReferenceNumber")] HttpRequest request,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(request, ProtocolMethods.GenerateReferenceNumberV2, cancellationToken);

    [Function("RefundableOneTimePaymentCodeV2CancelReferenceNumber")]
    public Task<IActionResult> RefundableOneTimePaymentCodeV2CancelReferenceNumber(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "refundable-one-time-payment-code-v2/cancelReferenceNumber")] HttpRequest request,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(request, ProtocolMethods.CancelReferenceNumberV2, cancellationToken);

    [Function("RedirectPaymentTokenV1Echo")]
    public Task<IActionResult> RedirectPaymentTokenV1Echo(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "redirect-payment-token-v1/echo")] HttpRequest request,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(request, ProtocolMethods.EchoRedirectV1, cancellationToken);

    [Function("RedirectPaymentTokenV1ReserveFunds")]
    public Task<IActionResult> RedirectPaymentTokenV1ReserveFunds(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "redirect-payment-token-v1/reserveFunds")] HttpRequest request,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(request, ProtocolMethods.ReserveFundsV1, cancellationToken);

    [Function("RedirectPaymentTokenV1CancelFundsReservation")]
    public Task<IActionResult> RedirectPaymentTokenV1CancelFundsReservation(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "redirect-payment-token-v1/cancelFundsReservation")] HttpRequest request,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(request, ProtocolMethods.CancelFundsReservationV1, cancellationToken);

    [Function("EWalletsV1Echo")]
    public Task<IActionResult> EWalletsV1Echo(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "e-wallets-v1/echo")] HttpRequest request,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(request, ProtocolMethods.EchoEWalletsV1, cancellationToken);

    [Function("EWalletsV1CreateMandate")]
    public Task<IActionResult> EWalletsV1CreateMandate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "e-wallets-v1/createMandate")] HttpRequest request,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(request, ProtocolMethods.CreateMandateV1, cancellationToken);

    [Function("EWalletsV1CancelMandate")]
    public Task<IActionResult> EWalletsV1CancelMandate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "e-wallets-v1/cancelMandate")] HttpRequest request,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(request, ProtocolMethods.CancelMandateV1, cancellationToken);

    [Function("RefundableOneTimePaymentCodeV1CancelReferenceNumber")]
    public Task<IActionResult> RefundableOneTimePaymentCodeV1CancelReferenceNumber(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "refundable-one-time-payment-code-v1/cancelReferenceNumber")] HttpRequest request,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(request, ProtocolMethods.CancelReferenceNumberV1, cancellationToken);

    [Function("RefundableOneTimePaymentCodeV2AsynchronousRefund")]
    public Task<IActionResult> RefundableOneTimePaymentCodeV2AsynchronousRefund(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "refundable-one-time-payment-code-v2/asynchronousRefund")] HttpRequest request,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(request, ProtocolMethods.AsynchronousRefundV2, cancellationToken);
    [Function("RefundableOneTimePaymentCodeV1RemittanceStatementNotification")]
    public Task<IActionResult> RefundableOneTimePaymentCodeV1RemittanceStatementNotification(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "refundable-one-time-payment-code-v1/remittanceStatementNotification")] HttpRequest request,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(request, ProtocolMethods.RemittanceStatementNotificationRorpcV1, cancellationToken);

    [Function("RefundableOneTimePaymentCodeV2RemittanceStatementNotification")]
    public Task<IActionResult> RefundableOneTimePaymentCodeV2RemittanceStatementNotification(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "refundable-one-time-payment-code-v2/remittanceStatementNotification")] HttpRequest request,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(request, ProtocolMethods.RemittanceStatementNotificationRorpcV2, cancellationToken);

    [Function("RedirectPaymentTokenV1RemittanceStatementNotification")]
    public Task<IActionResult> RedirectPaymentTokenV1RemittanceStatementNotification(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "redirect-payment-token-v1/remittanceStatementNotification")] HttpRequest request,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(request, ProtocolMethods.RemittanceStatementNotificationRedirectV1, cancellationToken);

    [Function("EWalletsV1RemittanceStatementNotification")]
    public Task<IActionResult> EWalletsV1RemittanceStatementNotification(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "e-wallets-v1/remittanceStatementNotification")] HttpRequest request,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(request, ProtocolMethods.RemittanceStatementNotificationEWalletsV1, cancellationToken);
    [Function("RedirectPaymentTokenV1CaptureFundsReservation")]
    public Task<IActionResult> RedirectPaymentTokenV1CaptureFundsReservation(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "redirect-payment-token-v1/captureFundsReservation")] HttpRequest request,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(request, ProtocolMethods.CaptureFundsReservationV1, cancellationToken);

    [Function("RedirectPaymentTokenV1Refund")]
    public Task<IActionResult> RedirectPaymentTokenV1Refund(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "redirect-payment-token-v1/refund")] HttpRequest request,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(request, ProtocolMethods.RefundRedirectV1, cancellationToken);

    [Function("EWalletsV1Capture")]
    public Task<IActionResult> EWalletsV1Capture(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "e-wallets-v1/capture")] HttpRequest request,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(request, ProtocolMethods.CaptureEWalletsV1, cancellationToken);

    [Function("EWalletsV1Refund")]
    public Task<IActionResult> EWalletsV1Refund(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "e-wallets-v1/refund")] HttpRequest request,
        CancellationToken cancellationToken)
        => endpoint.HandleAsync(request, ProtocolMethods.RefundEWalletsV1, cancellationToken);
}
