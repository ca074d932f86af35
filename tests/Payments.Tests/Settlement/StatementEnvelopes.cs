using Payments.Core.Security;
using Payments.Core.Security.Jwe;
using Payments.Core.Security.Pgp;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Settlement;

/// <summary>Our envelope and Google's for a security mode ("None", "Pgp", "Jwe"), on the run's shared test keys.</summary>
internal static class StatementEnvelopes
{
    public static (IMessageEnvelope Ours, IMessageEnvelope Google) For(string mode)
    {
        switch (mode)
        {
            case "Pgp":
                return (new PgpEnvelope(TestKeys.PgpOurs1.Secret, null, TestKeys.PgpGoogle.Public),
                    new PgpEnvelope(TestKeys.PgpGoogle.Secret, null, TestKeys.PgpOurs1.Public));
            case "Jwe":
                using (var ours = TestKeys.NewRsa(2048))
                using (var google = TestKeys.NewRsa(2048, 1))
                    return (new JweEnvelope(ours.ExportPkcs8PrivateKeyPem(), google.ExportSubjectPublicKeyInfoPem()),
                        new JweEnvelope(google.ExportPkcs8PrivateKeyPem(), ours.ExportSubjectPublicKeyInfoPem()));
            default:
                return (new PlainJsonEnvelope(), new PlainJsonEnvelope());
        }
    }
}
