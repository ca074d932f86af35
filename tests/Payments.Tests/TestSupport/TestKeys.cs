using System.Collections.Concurrent;
using System.Security.Cryptography;
using Payments.Core.Security;

namespace Payments.Tests.TestSupport;

/// <summary>
/// Keys generated once per test run and shared by every class that only needs a valid key: RSA key
/// generation (most of all 3072 bits and up) and BouncyCastle's check of each parsed modulus were most of
/// the fast subset's CPU. A test about a key's size or age makes its own key.
/// </summary>
public static class TestKeys
{
    private static readonly ConcurrentDictionary<(int Bits, int Index), Lazy<RSAParameters>> Rsa = new();

    /// <summary>The <paramref name="index"/>-th shared RSA key of <paramref name="bits"/> bits: distinct indices are distinct keys.</summary>
    public static RSAParameters RsaParameters(int bits, int index = 0) =>
        Rsa.GetOrAdd((bits, index), _ => new Lazy<RSAParameters>(() =>
        {
            using var rsa = RSA.Create(bits);
            return rsa.ExportParameters(true);
        })).Value;

    /// <summary>A new RSA object (the caller's to dispose) holding the shared key; RSA objects are not shared between threads.</summary>
    public static RSA NewRsa(int bits, int index = 0)
    {
        var rsa = RSA.Create();
        rsa.ImportParameters(RsaParameters(bits, index));
        return rsa;
    }

    private static readonly Lazy<(string Secret, string Public)> Ours1 = new(() => Pgp("Integrator One <one@integrator.test>"));
    private static readonly Lazy<(string Secret, string Public)> Ours2 = new(() => Pgp("Integrator Two <two@integrator.test>"));
    private static readonly Lazy<(string Secret, string Public)> Google = new(() => Pgp("Google <payments@google.test>"));

    /// <summary>OpenPGP key rings made by the key tool (RSA-2048, no passphrase, valid 30 days from the run's start).</summary>
    public static (string Secret, string Public) PgpOurs1 => Ours1.Value;
    public static (string Secret, string Public) PgpOurs2 => Ours2.Value;
    public static (string Secret, string Public) PgpGoogle => Google.Value;

    private static (string Secret, string Public) Pgp(string userId) =>
        KeyTool.GeneratePgp(userId, null, DateTime.UtcNow, TimeSpan.FromDays(30), 2048);
}
