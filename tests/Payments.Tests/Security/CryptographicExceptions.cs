using System.Runtime.ExceptionServices;
using System.Security.Cryptography;

namespace Payments.Tests.Security;

/// <summary>Counts the CryptographicExceptions raised (caught or not) on this thread while an action runs: an
/// exception is itself measurable work, so a decryption that must cost the same on every failure raises none.</summary>
public static class CryptographicExceptions
{
    /// <param name="ignore">exceptions every outcome raises alike (AES-GCM's tag mismatch), not counted</param>
    public static int CountOnThisThread(Action action, Func<CryptographicException, bool>? ignore = null)
    {
        int thread = Environment.CurrentManagedThreadId, thrown = 0;
        void Count(object? sender, FirstChanceExceptionEventArgs e)
        {
            if (e.Exception is CryptographicException c && Environment.CurrentManagedThreadId == thread && ignore?.Invoke(c) != true) thrown++;
        }
        AppDomain.CurrentDomain.FirstChanceException += Count;
        try { action(); }
        finally { AppDomain.CurrentDomain.FirstChanceException -= Count; }
        return thrown;
    }
}
