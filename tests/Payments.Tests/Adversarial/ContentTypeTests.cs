using System.Text;
using System.Text.Json.Nodes;
using Payments.Core.Protocol;
using Payments.Tests.EndToEnd;
using Payments.Tests.Fuzz;
using Payments.StandIns.Gsp;
using Payments.Tests.TestSupport;

namespace Payments.Tests.Adversarial;

/// <summary>The Content-Type of protocol requests (docs/protocol.md §7), against the local host in None
/// mode: the mode's own media type in any case, with or without charset, or none at all, is served; a
/// form, multipart, text or any other type is refused with an ErrorResponse and stores nothing.</summary>
[Collection(AdversarialCollection.Name)]
[Trait("Category", Category.EndToEnd)]
public sealed class ContentTypeTests(AdversarialHost fixture)
{
    public static TheoryData<string?> Accepted => new()
    {
        "application/json", "application/json; charset=utf-8", "Application/JSON; Charset=UTF-8", "application/json;charset=\"utf-8\"",
        "application/json; charset=utf-8; version=1", null,
    };

    public static TheoryData<string> Refused => new()
    {
        "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "multipart/mixed; boundary=x", "text/plain",
        "text/plain; charset=utf-8", "text/json", "application/xml", "application/octet-stream", "application/jose", "*/*", "application/json-patch+json", "json",
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public async Task A_request_declared_as_the_modes_type_or_undeclared_is_served(string? contentType)
    {
        var id = GspRequests.NewId("CT");
        var (status, body) = await PostAsync(ProtocolMethods.GenerateReferenceNumberV1, GspRequests.GenerateV1(id), contentType);
        Assert.True(status == 200, body);
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_request_declared_as_another_type_is_refused_with_an_ErrorResponse_and_stores_nothing(string contentType)
    {
        await MutationFuzzTests.WaitUntilFinishedAsync(fixture.Host);
        var before = await MutationFuzzTests.SnapshotAsync(fixture.Host);
        var v1 = GspRequests.NewId("CT");
        var v2 = GspRequests.NewId("CT");
        var (s1, b1) = await PostAsync(ProtocolMethods.GenerateReferenceNumberV1, GspRequests.GenerateV1(v1), contentType);
        var (s2, b2) = await PostAsync(ProtocolMethods.GenerateReferenceNumberV2, GspRequests.GenerateV2(v2), contentType);
        Assert.True(s1 == 400, b1);
        Assert.Equal("INVALID_DECRYPTED_REQUEST", JsonNode.Parse(b1)!["errorResponseCode"]!.GetValue<string>());
        Assert.True(s2 == 400, b2);
        Assert.NotNull(JsonNode.Parse(b2)!["errorResponseResult"]!["invalidDecryptedRequest"]);
        var after = await MutationFuzzTests.SnapshotAsync(fixture.Host);
        Assert.Empty(MutationFuzzTests.Unexplained(before, after, []).Take(5));
        // The requestId is free for the same call correctly declared.
        Assert.Equal(200, (await PostAsync(ProtocolMethods.GenerateReferenceNumberV1, GspRequests.GenerateV1(v1), "application/json")).Status);
    }

    [Theory]
    [InlineData("application/jose; charset=utf-8", "application/jose", true)]
    [InlineData("application/jose; charset=utf-8", "APPLICATION/JOSE;charset=UTF-8", true)]
    [InlineData("application/jose; charset=utf-8", "application/jose+json", false)]
    [InlineData("application/jose; charset=utf-8", "application/octet-stream", false)]
    [InlineData("application/octet-stream; charset=utf-8", "application/octet-stream", true)]
    [InlineData("application/octet-stream; charset=utf-8", "text/plain; charset=utf-8", false)]
    [InlineData("application/octet-stream; charset=utf-8", "multipart/form-data; boundary=x", false)]
    [InlineData("application/octet-stream; charset=utf-8", "application/octet-stream/x", false)]
    [InlineData("application/octet-stream; charset=utf-8", "", true)]
    public void Each_mode_accepts_its_own_media_type_only(string envelopeType, string declared, bool accepted) =>
        Assert.Equal(accepted, Payments.Core.Hosting.RequestContentType.IsAccepted(declared, envelopeType));

    private async Task<(int Status, string Body)> PostAsync(ProtocolMethod method, JsonObject request, string? contentType)
    {
        var (status, body, _) = await fixture.Host.PostBytesAsync(method.Route, Encoding.UTF8.GetBytes(request.ToJsonString()), contentType);
        return (status, Encoding.UTF8.GetString(body));
    }
}
