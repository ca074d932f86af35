using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;

namespace Payments.Core.Security.Pgp;

/// <summary>
/// What one (sub)key may do and until when, read from its verified self-signatures. BouncyCastle's
/// <c>IsSigningKey</c>/<c>IsEncryptionKey</c> look only at the algorithm and it never checks expiry
/// (docs/pgp-interop.md), so we read key flags and key expiration from the newest valid self-signature.
/// </summary>
internal sealed record PgpKeyInfo(long KeyId, DateTime CreatedUtc, DateTime? ExpiresUtc, bool Revoked, bool CanSign, bool CanEncrypt, bool StrongEnough)
{
    /// <summary>Unexpired, unrevoked and (for RSA) of 2048 bits or more (docs/protocol.md §7).</summary>
    public bool IsUsable(DateTime nowUtc) => StrongEnough && !Revoked && (ExpiresUtc is null || nowUtc < ExpiresUtc.Value);

    /// <summary>Evaluates <paramref name="key"/> (the primary key itself or one of its subkeys).</summary>
    public static PgpKeyInfo Evaluate(PgpPublicKey key, PgpPublicKey primary)
    {
        var selfSig = key.IsMasterKey ? NewestPrimarySelfSignature(key) : NewestBinding(key, primary);
        bool revoked = key.HasRevocation() || primary.HasRevocation();
        bool strong = !IsRsa(key) || key.BitStrength >= 2048;
        if (selfSig is null) return new(key.KeyId, key.CreationTime, null, revoked, false, false, strong);

        var hashed = selfSig.GetHashedSubPackets();
        int flags;
        if (hashed.HasSubpacket(SignatureSubpacketTag.KeyFlags)) flags = hashed.GetKeyFlags();
        else flags = FlagsByAlgorithm(key); // old keys without flags: what the algorithm allows

        DateTime? expires = hashed.GetKeyExpirationTime() is > 0 and var seconds ? key.CreationTime.AddSeconds(seconds) : null;
        if (!key.IsMasterKey)
        {
            var primaryInfo = Evaluate(primary, primary);
            if (primaryInfo.ExpiresUtc is { } pe && (expires is null || pe < expires)) expires = pe; // a subkey dies with its primary
        }
        return new(key.KeyId, key.CreationTime, expires, revoked,
            (flags & PgpKeyFlags.CanSign) != 0 && CanAlgorithmSign(key),
            (flags & (PgpKeyFlags.CanEncryptCommunications | PgpKeyFlags.CanEncryptStorage)) != 0 && CanAlgorithmEncrypt(key),
            strong);
    }

    private static bool IsRsa(PgpPublicKey key) =>
        key.Algorithm is PublicKeyAlgorithmTag.RsaGeneral or PublicKeyAlgorithmTag.RsaSign or PublicKeyAlgorithmTag.RsaEncrypt;

    private static int FlagsByAlgorithm(PgpPublicKey key) =>
        key.IsMasterKey ? PgpKeyFlags.CanSign | PgpKeyFlags.CanCertify
        : (CanAlgorithmSign(key) ? PgpKeyFlags.CanSign : 0) | (CanAlgorithmEncrypt(key) ? PgpKeyFlags.CanEncryptCommunications : 0);

    private static bool CanAlgorithmSign(PgpPublicKey key) => key.Algorithm is PublicKeyAlgorithmTag.RsaGeneral or PublicKeyAlgorithmTag.RsaSign
        or PublicKeyAlgorithmTag.Dsa or PublicKeyAlgorithmTag.ECDsa;

    private static bool CanAlgorithmEncrypt(PgpPublicKey key) => key.Algorithm is PublicKeyAlgorithmTag.RsaGeneral or PublicKeyAlgorithmTag.RsaEncrypt;

    private static PgpSignature? NewestPrimarySelfSignature(PgpPublicKey primary)
    {
        PgpSignature? best = null;
        foreach (var idObj in primary.GetUserIds())
        {
            if (idObj is not string id) continue;
            foreach (PgpSignature sig in primary.GetSignaturesForId(id))
            {
                if (sig.KeyId != primary.KeyId || sig.SignatureType is < PgpSignature.DefaultCertification or > PgpSignature.PositiveCertification) continue;
                if (!Verifies(() => { sig.InitVerify(primary); return sig.VerifyCertification(id, primary); })) continue;
                if (best is null || sig.CreationTime > best.CreationTime) best = sig;
            }
        }
        foreach (PgpSignature sig in primary.GetSignaturesOfType(PgpSignature.DirectKey))
        {
            if (sig.KeyId != primary.KeyId) continue;
            if (!Verifies(() => { sig.InitVerify(primary); return sig.VerifyCertification(primary); })) continue;
            if (best is null || sig.CreationTime > best.CreationTime) best = sig;
        }
        return best;
    }

    private static PgpSignature? NewestBinding(PgpPublicKey subkey, PgpPublicKey primary)
    {
        PgpSignature? best = null;
        foreach (PgpSignature sig in subkey.GetSignaturesOfType(PgpSignature.SubkeyBinding))
        {
            if (sig.KeyId != primary.KeyId) continue;
            if (!Verifies(() => { sig.InitVerify(primary); return sig.VerifyCertification(primary, subkey); })) continue;
            if (best is null || sig.CreationTime > best.CreationTime) best = sig;
        }
        return best;
    }

    // A self-signature that fails or cannot be checked (unsupported algorithm) simply does not count.
    private static bool Verifies(Func<bool> check)
    {
        try { return check(); }
        catch (Exception e) when (e is PgpException or InvalidOperationException or ArgumentException or IOException) { return false; }
    }
}
