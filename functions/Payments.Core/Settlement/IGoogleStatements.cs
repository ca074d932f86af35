namespace Payments.Core.Settlement;

/// <summary>Google's statement methods: remittanceStatementDetails and acceptRemittanceStatement.</summary>
public interface IGoogleStatements
{
    /// <summary>remittanceStatementDetails: one page from <paramref name="eventOffset"/>, at most
    /// <paramref name="numberOfEvents"/> (≤ 1000).</summary>
    /// <param name="requestId">deterministic per (statement, offset) — chosen by the caller — so a retried page
    /// call is the same call</param>
    /// <exception cref="GoogleCallFailedException">Retryable for timeouts, transport errors, 5xx and 429; not for
    /// other 4xx and the generic/empty 404 meaning keys/PIAID trouble.</exception>
    /// <exception cref="StatementPageRefusedException">an answer it refuses to read (body over the size limit, not
    /// JSON, an event array over 1000 entries).</exception>
    Task<StatementPage> FetchPageAsync(StatementRef statement, string requestId, long eventOffset, int numberOfEvents, CancellationToken ct);

    /// <summary>acceptRemittanceStatement (v1: acceptRemittanceStatementResultCode "SUCCESS"; v2: result {success:{}}).
    /// Same exceptions.</summary>
    /// <param name="requestId">deterministic per statement: a retry is the same call</param>
    Task AcceptAsync(StatementRef statement, string requestId, CancellationToken ct);
}
