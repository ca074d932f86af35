using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Payments.Core.Security.Pgp;

namespace Payments.Core.Security.Jwe;

/// <summary>
/// One RSA key of the JWE/JWS scheme with its RFC 7638 thumbprint, used as <c>kid</c>; the end of its
/// certificate's validity (null for a bare key).
/// </summary>
internal sealed record JweKey(string Kid, RsaPool Rsa, DateTime? ExpiresUtc);

/// <summary>
/// Reads the PEM settings once at start-up: several concatenated blocks per setting (rotation).
/// Private: PKCS#8 (<c>PRIVATE KEY</c>) or PKCS#1 (<c>RSA PRIVATE KEY</c>). Public: SPKI (<c>PUBLIC KEY</c>),
/// PKCS#1 (<c>RSA PUBLIC KEY</c>) or an X.509 <c>CERTIFICATE</c> (whose validity period is honoured).
/// Errors name the setting and the block number, never the bytes.
/// </summary>
internal static class JwePemKeys
{
    public static IReadOnlyList<JweKey> Load(string? pem, string setting, bool privateKeys, DateTime nowUtc)
    {
        if (string.IsNullOrWhiteSpace(pem)) throw new SecurityConfigurationException(setting, "is missing or empty.");
        if (!pem.Contains('\n') && pem.Contains("\\n")) pem = pem.Replace("\\r", "").Replace("\\n", "\n");
        var keys = new List<JweKey>();
        var rest = pem.AsSpan();
        int blockNo = 0;
        while (PemEncoding.TryFind(rest, out var fields))
        {
            blockNo++;
            var label = rest[fields.Label].ToString();
            byte[] der;
            try { der = Convert.FromBase64String(rest[fields.Base64Data].ToString()); }
            catch (FormatException) { throw new SecurityConfigurationException(setting, $"PEM block {blockNo} is not valid base64."); }
            rest = rest[fields.Location.End.Value..];

            var rsa = RSA.Create();
            try
            {
                var expires = Import(rsa, label, der, setting, blockNo, privateKeys, nowUtc);
                if (rsa.KeySize < 2048) throw new SecurityConfigurationException(setting, $"PEM block {blockNo} is an RSA key under 2048 bits.");
                var parameters = rsa.ExportParameters(privateKeys);
                keys.Add(new JweKey(Thumbprint(parameters), new RsaPool(parameters), expires));
            }
            catch (CryptographicException)
            {
                throw new SecurityConfigurationException(setting, $"PEM block {blockNo} ('{label}') is not a readable RSA key.");
            }
            finally { rsa.Dispose(); }
        }
        if (keys.Count == 0) throw new SecurityConfigurationException(setting, "contains no PEM key block.");
        return keys;
    }

    /// <returns>the certificate's NotAfter (UTC) for a certificate, else null</returns>
    private static DateTime? Import(RSA rsa, string label, byte[] der, string setting, int blockNo, bool privateKeys, DateTime nowUtc)
    {
        switch (label)
        {
            case "PRIVATE KEY" when privateKeys: rsa.ImportPkcs8PrivateKey(der, out _); break;
            case "RSA PRIVATE KEY" when privateKeys: rsa.ImportRSAPrivateKey(der, out _); break;
            case "ENCRYPTED PRIVATE KEY" when privateKeys:
                throw new SecurityConfigurationException(setting, $"PEM block {blockNo} is an encrypted private key; store it unencrypted (Key Vault protects it).");
            case "PUBLIC KEY" when !privateKeys: rsa.ImportSubjectPublicKeyInfo(der, out _); break;
            case "RSA PUBLIC KEY" when !privateKeys: rsa.ImportRSAPublicKey(der, out _); break;
            case "CERTIFICATE" when !privateKeys:
                using (var cert = X509CertificateLoader.LoadCertificate(der))
                {
                    if (nowUtc < cert.NotBefore.ToUniversalTime() || nowUtc >= cert.NotAfter.ToUniversalTime())
                        throw new SecurityConfigurationException(setting, $"PEM block {blockNo} is a certificate outside its validity period.");
                    using var key = cert.GetRSAPublicKey() ?? throw new SecurityConfigurationException(setting, $"PEM block {blockNo} is not an RSA certificate.");
                    rsa.ImportParameters(key.ExportParameters(false));
                    return cert.NotAfter.ToUniversalTime();
                }
            default:
                throw new SecurityConfigurationException(setting, $"PEM block {blockNo} is a '{label}', expected {(privateKeys ? "a PRIVATE KEY or RSA PRIVATE KEY" : "a PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE")}.");
        }
        return null;
    }

    /// <summary>RFC 7638 JWK thumbprint (SHA-256, base64url): a stable <c>kid</c> both sides can compute.</summary>
    public static string Thumbprint(RSAParameters p)
    {
        var json = $"{{\"e\":\"{Base64Body.EncodeUrlString(p.Exponent)}\",\"kty\":\"RSA\",\"n\":\"{Base64Body.EncodeUrlString(p.Modulus)}\"}}";
        return Base64Body.EncodeUrlString(SHA256.HashData(Encoding.ASCII.GetBytes(json)));
    }
}
