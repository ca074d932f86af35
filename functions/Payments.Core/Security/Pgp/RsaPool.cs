using System.Collections.Concurrent;
using System.Security.Cryptography;
using Payments.Core.Security.Rsa;

namespace Payments.Core.Security.Pgp;

/// <summary>
/// Platform (OpenSSL) RSA instances for one key, handed out one per concurrent caller: .NET does not
/// promise that an <see cref="RSA"/> instance is safe for concurrent use, and a lock would serialise
/// every request's private-key operation on a 2-core host. Instances are created lazily and reused.
/// </summary>
internal sealed class RsaPool
{
    private readonly RSAParameters _parameters;
    private readonly ConcurrentBag<RSA> _idle = [];

    public RsaPool(RSAParameters parameters)
    {
        _parameters = parameters;
        ModulusBytes = parameters.Modulus!.Length;
        _idle.Add(RSA.Create(parameters)); // fail at load time, not on the first request
        if (parameters.D is not null) Pkcs1 = new Pkcs1Decryption(parameters);
    }

    public int ModulusBytes { get; }

    /// <summary>PKCS#1 v1.5 decryption with implicit rejection; null for a public key.</summary>
    public Pkcs1Decryption? Pkcs1 { get; }

    public T Use<TState, T>(TState state, Func<RSA, TState, T> operation)
    {
        var rsa = _idle.TryTake(out var idle) ? idle : RSA.Create(_parameters);
        try { return operation(rsa, state); }
        finally { _idle.Add(rsa); }
    }
}
