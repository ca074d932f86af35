namespace Payments.Core.Settlement;

/// <summary>One remittance statement at Google: the statement id is the <c>requestId</c> of its remittanceStatementNotification.</summary>
/// <param name="Api">"refundable-one-time-payment-code-v1", "refundable-one-time-payment-code-v2",
/// "redirect-payment-token-v1" or "e-wallets-v1": decides the wire version (v2 only for the RORPC v2 family)</param>
public sealed record StatementRef(string PaymentIntegratorAccountId, string StatementId, string Api);
