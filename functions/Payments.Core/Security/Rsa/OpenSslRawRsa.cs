using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Payments.Core.Security.Rsa;

/// <summary>
/// RSA private-key operation without padding (RSA_NO_PADDING) through the OpenSSL 3 library .NET itself uses
/// on Linux, on the key .NET imported (<see cref="RSAOpenSsl.DuplicateKeyHandle"/>). OpenSSL blinds the
/// operation. The EVP_PKEY is only read; each call makes its own context (a few µs), so any number of
/// threads may decrypt at once.
/// </summary>
internal sealed class OpenSslRawRsa
{
    private const string LibCrypto = "libcrypto.so.3";
    private const int RsaNoPadding = 3;

    private static readonly bool Available = Probe();

    private readonly SafeEvpPKeyHandle _key;

    private OpenSslRawRsa(SafeEvpPKeyHandle key) => _key = key;

    /// <returns>null when this is not Linux with OpenSSL 3 (the caller falls back to managed RSA)</returns>
    public static OpenSslRawRsa? TryCreate(RSAParameters privateKey)
    {
        if (!Available || !OperatingSystem.IsLinux()) return null;
        using var rsa = new RSAOpenSsl(privateKey);
        return new OpenSslRawRsa(rsa.DuplicateKeyHandle());
    }

    /// <summary>m = c^d mod n into <paramref name="em"/> (modulus length); c must be below the modulus.</summary>
    public void Decrypt(ReadOnlySpan<byte> ciphertext, Span<byte> em)
    {
        var ctx = EVP_PKEY_CTX_new(_key, IntPtr.Zero);
        if (ctx == IntPtr.Zero) throw Failed("EVP_PKEY_CTX_new");
        try
        {
            if (EVP_PKEY_decrypt_init(ctx) != 1) throw Failed("EVP_PKEY_decrypt_init");
            if (EVP_PKEY_CTX_set_rsa_padding(ctx, RsaNoPadding) != 1) throw Failed("EVP_PKEY_CTX_set_rsa_padding");
            nuint length = (nuint)em.Length;
            if (EVP_PKEY_decrypt(ctx, ref MemoryMarshal.GetReference(em), ref length, in MemoryMarshal.GetReference(ciphertext), (nuint)ciphertext.Length) != 1)
                throw Failed("EVP_PKEY_decrypt");
            if (length != (nuint)em.Length) throw Failed("EVP_PKEY_decrypt (length)");
        }
        finally { EVP_PKEY_CTX_free(ctx); }
    }

    private static CryptographicException Failed(string function)
    {
        ERR_clear_error(); // leave nothing in this thread's queue for .NET's next OpenSSL call to report
        return new CryptographicException($"OpenSSL {function} failed.");
    }

    /// <summary>
    /// Our libcrypto must be the one .NET loaded (an EVP_PKEY passes between them): OpenSSL 3 on both sides,
    /// and the library exports every function we call.
    /// </summary>
    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux() || SafeEvpPKeyHandle.OpenSslVersion < 0x30000000L) return false;
        if (!NativeLibrary.TryLoad(LibCrypto, out var lib)) return false;
        string[] functions = ["EVP_PKEY_CTX_new", "EVP_PKEY_decrypt_init", "EVP_PKEY_CTX_set_rsa_padding", "EVP_PKEY_decrypt", "EVP_PKEY_CTX_free", "ERR_clear_error"];
        return functions.All(f => NativeLibrary.TryGetExport(lib, f, out _));
    }

    [DllImport(LibCrypto)]
    private static extern IntPtr EVP_PKEY_CTX_new(SafeEvpPKeyHandle pkey, IntPtr engine);

    [DllImport(LibCrypto)]
    private static extern int EVP_PKEY_decrypt_init(IntPtr ctx);

    [DllImport(LibCrypto)]
    private static extern int EVP_PKEY_CTX_set_rsa_padding(IntPtr ctx, int padding);

    [DllImport(LibCrypto)]
    private static extern int EVP_PKEY_decrypt(IntPtr ctx, ref byte output, ref nuint outputLength, in byte input, nuint inputLength);

    [DllImport(LibCrypto)]
    private static extern void EVP_PKEY_CTX_free(IntPtr ctx);

    [DllImport(LibCrypto)]
    private static extern void ERR_clear_error();
}
