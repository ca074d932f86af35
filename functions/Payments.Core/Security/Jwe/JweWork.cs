namespace Payments.Core.Security.Jwe;

/// <summary>
/// What opening one JWE has cost (tests, benchmarks): every key of ours that could have made the body
/// counts one RSA operation and one content pass whatever the unwrap gave. Not thread-safe: one per message.
/// </summary>
internal sealed class JweWork
{
    /// <summary>RSA private-key operations (content-key unwraps).</summary>
    public int RsaOperations { get; private set; }

    /// <summary>Content decryptions (GCM, or HMAC then CBC) run over the whole ciphertext.</summary>
    public int ContentPasses { get; private set; }

    /// <summary>Bytes produced by <c>zip: DEF</c> decompression.</summary>
    public long InflatedBytes { get; private set; }

    public void RsaOperation() => RsaOperations++;
    public void ContentPass() => ContentPasses++;
    public void Inflated(int bytes) => InflatedBytes += bytes;
}
