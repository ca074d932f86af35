using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Payments.Core.Protocol;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Protocol;

/// <summary>The idempotency fingerprint (docs/protocol.md §5, docs/input-limits.md): what counts as the
/// same body, and that bodies in the form Google sends keep the fingerprint they had when stored.</summary>
[Trait("Category", Category.Unit)]
public sealed class FingerprintTests
{
    // Google's usual bodies, as literal text: a v1 refund (protocolVersion 1.0.0) and a v2 generate ({major: 2}).
    private const string RefundV1 = """
        {"requestHeader":{"protocolVersion":{"major":1,"minor":0,"revision":0},"requestId":"R0PIN000000000000001","requestTimestamp":"1765000000000"},
         "paymentIntegratorAccountId":"InvisiCashUSA_USD","generateReferenceNumberRequestId":"G0PIN000000000000001",
         "refundAmount":{"amountMicros":"1000000","currencyCode":"USD"}}
        """;

    private const string GenerateV2 = """
        {"requestHeader":{"protocolVersion":{"major":2},"requestId":"G0PIN000000000000002","requestTimestamp":{"epochMillis":"1765000000000"},"paymentIntegratorAccountId":"InvisiCashUSA_USD"},
         "googlePaymentToken":{"issuerId":{"value":"invisicash"},"token":"ZXhhbXBsZSB1bmlxdWUgcGF5bWVudCB0b2tlbiB2YWx1ZQ"},
         "transactionDescription":"Google - Music","amount":{"amountMicros":"728000000","currencyCode":"USD"}}
        """;

    private static JsonTypeInfo RefundType => ProtocolJsonContext.Default.AsynchronousRefundV1Request;
    private static JsonTypeInfo GenerateV2Type => ProtocolJsonContext.Default.GenerateReferenceNumberV2Request;

    private static string Fingerprint(string json, JsonTypeInfo type, HeaderStyle style)
    {
        using var document = JsonDocument.Parse(json);
        return StrictJson.Fingerprint(document.RootElement, type, style);
    }

    private static string Refund(Action<JsonObject> edit) => Edited(RefundV1, edit);

    private static string Edited(string json, Action<JsonObject> edit)
    {
        var body = JsonNode.Parse(json)!.AsObject();
        edit(body);
        return body.ToJsonString();
    }

    [Fact]
    public void Google_bodies_keep_the_fingerprint_stored_before_minor_versions_and_unknown_nulls_were_ignored()
    {
        // Computed by StrictJson.Fingerprint at commit 8e0c831, before minor versions and unknown null fields
        // were ignored: entries stored then must still replay after the deploy. They are the SHA-256 of the
        // canonical text of that code (sorted, no whitespace, no requestTimestamp), protocolVersion written
        // as it came: {"major":1,"minor":0,"revision":0} (JSON numbers) for v1, {"major":2} for v2.
        Assert.Equal("/LBsnnKb8ZwoAVvJ/MuTNoX8GhdCy9sQ4v/8mOFOhcE=", Fingerprint(RefundV1, RefundType, HeaderStyle.V1));
        Assert.Equal("tjVToGs6uaeQ82ZH0RGtreD5C6gXEwdgHHzHaesOD+Y=", Fingerprint(GenerateV2, GenerateV2Type, HeaderStyle.V2));
    }

    public static TheoryData<string> SameBodies => new()
    {
        "v1 1.1.0", "v1 1.0.7", "v1 1.3.2", "v1 major-only", "v1 minor-null", "v1 version-unknown-member",
        "v1 top-level-unknown-null", "v1 header-unknown-null", "v1 amount-unknown-null",
        "v2 2.1.0", "v2 2.3.2", "v2 minor-null", "v2 top-level-unknown-null", "v2 header-unknown-null", "v2 amount-unknown-null",
    };

    [Theory]
    [MemberData(nameof(SameBodies))]
    public void A_retry_under_a_later_minor_version_or_with_an_unknown_field_as_null_is_the_same_body(string variant)
    {
        var (style, type, original) = variant.StartsWith("v1", StringComparison.Ordinal)
            ? (HeaderStyle.V1, RefundType, RefundV1)
            : (HeaderStyle.V2, GenerateV2Type, GenerateV2);
        var retry = Edited(original, b =>
        {
            var header = b["requestHeader"]!.AsObject();
            var version = header["protocolVersion"]!.AsObject();
            switch (variant[3..])
            {
                case "1.1.0" or "2.1.0": version["minor"] = 1; break;
                case "1.0.7": version["revision"] = 7; break;
                case "1.3.2" or "2.3.2": version["minor"] = 3; version["revision"] = 2; break;
                case "major-only": version.Remove("minor"); version.Remove("revision"); break;
                case "minor-null": version["minor"] = null; version.Remove("revision"); break;
                case "version-unknown-member": version["patch"] = 4; break;
                case "top-level-unknown-null": b["refundReason"] = null; break;
                case "header-unknown-null": header["callerContext"] = null; break;
                case "amount-unknown-null": (b["refundAmount"] ?? b["amount"])!["displayAmount"] = null; break;
            }
            header["requestTimestamp"] = style == HeaderStyle.V1 ? "1765000001234" : new JsonObject { ["epochMillis"] = "1765000001234" };
        });
        Assert.Equal(Fingerprint(original, type, style), Fingerprint(retry, type, style));
    }

    public static TheoryData<string> DifferentRefunds => new() { "amount", "major", "unknown-with-a-value", "null-inside-an-unknown-object" };

    /// <summary>What still makes another body: a changed value, another major version (refused by validation
    /// on every route, and different here too), an unknown field with a value, and inside values this
    /// request does not map (kept as they came).</summary>
    [Theory]
    [MemberData(nameof(DifferentRefunds))]
    public void A_retry_that_means_something_else_is_another_body(string variant)
    {
        var original = Refund(b => b["refundDetail"] = new JsonObject());
        var changed = Refund(b =>
        {
            b["refundDetail"] = new JsonObject();
            switch (variant)
            {
                case "amount": b["refundAmount"]!["amountMicros"] = "1000001"; break;
                case "major": b["requestHeader"]!["protocolVersion"]!["major"] = 2; break;
                case "unknown-with-a-value": b["refundReason"] = "customer"; break;
                case "null-inside-an-unknown-object": b["refundDetail"] = new JsonObject { ["note"] = null }; break;
            }
        });
        Assert.NotEqual(Fingerprint(original, RefundType, HeaderStyle.V1), Fingerprint(changed, RefundType, HeaderStyle.V1));
    }
}
