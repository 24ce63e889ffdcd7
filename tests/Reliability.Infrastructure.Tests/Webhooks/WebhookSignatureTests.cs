using Reliability.Infrastructure.Webhooks;

namespace Reliability.Infrastructure.Tests.Webhooks;

public sealed class WebhookSignatureTests
{
    private const string Secret = "whsec_test";
    private const string Body = """{"id":"d1","kind":"claim.deleted"}""";
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    [Fact]
    public void A_signature_verifies_with_the_same_secret_body_and_a_recent_timestamp()
    {
        var header = WebhookSignature.Sign(Secret, Now, Body);

        Assert.StartsWith($"t={Now.ToUnixTimeSeconds()},v1=", header, StringComparison.Ordinal);
        Assert.True(WebhookSignature.Verify(header, Body, Secret, Now + TimeSpan.FromMinutes(4), Tolerance));
    }

    [Fact]
    public void The_signature_is_hmac_sha256_of_timestamp_dot_body()
    {
        // Independent computation of the documented scheme, so receivers in other languages can follow it.
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(Secret), System.Text.Encoding.UTF8.GetBytes($"{Now.ToUnixTimeSeconds()}.{Body}")));

        Assert.EndsWith("v1=" + expected, WebhookSignature.Sign(Secret, Now, Body), StringComparison.Ordinal);
    }

    [Fact]
    public void A_changed_body_another_secret_or_an_old_timestamp_fail()
    {
        var header = WebhookSignature.Sign(Secret, Now, Body);

        Assert.False(WebhookSignature.Verify(header, Body + " ", Secret, Now, Tolerance));
        Assert.False(WebhookSignature.Verify(header, Body, "whsec_other", Now, Tolerance));
        Assert.False(WebhookSignature.Verify(header, Body, Secret, Now + TimeSpan.FromMinutes(6), Tolerance));
        Assert.False(WebhookSignature.Verify(header, Body, Secret, Now - TimeSpan.FromMinutes(6), Tolerance));
    }

    [Fact]
    public void A_timestamp_swapped_into_a_valid_signature_fails()
    {
        var header = WebhookSignature.Sign(Secret, Now, Body);
        var moved = header.Replace($"t={Now.ToUnixTimeSeconds()}", $"t={Now.ToUnixTimeSeconds() + 60}", StringComparison.Ordinal);

        Assert.False(WebhookSignature.Verify(moved, Body, Secret, Now, Tolerance));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("v1=00")]
    [InlineData("t=abc,v1=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("t=1772366400")]
    [InlineData("t=99999999999999999999,v1=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("garbage")]
    public void Malformed_headers_fail(string? header)
    {
        Assert.False(WebhookSignature.Verify(header, Body, Secret, Now, Tolerance));
    }

    [Fact]
    public void Any_of_several_v1_signatures_may_match_during_secret_rotation()
    {
        var current = WebhookSignature.Sign(Secret, Now, Body);
        var old = WebhookSignature.Sign("whsec_old", Now, Body);
        var both = $"{old},{current[(current.IndexOf(',', StringComparison.Ordinal) + 1)..]}";

        Assert.True(WebhookSignature.Verify(both, Body, Secret, Now, Tolerance));
        Assert.True(WebhookSignature.Verify(both, Body, "whsec_old", Now, Tolerance));
    }

    [Fact]
    public void Filters_match_when_empty_or_containing_the_value()
    {
        var everything = new WebhookSubscription { Id = "s", TargetUrl = "https://r.example/", Secret = Secret, CreatedAt = Now };
        var narrow = everything with { SourceIds = ["src-1"], EventKinds = ["claim.deleted"] };
        var deleted = new WebhookEvent("claim.deleted", null) { SourceId = "src-1" };

        Assert.True(everything.Matches(deleted));
        Assert.True(narrow.Matches(deleted));
        Assert.False(narrow.Matches(deleted with { SourceId = "src-2" }));
        Assert.False(narrow.Matches(deleted with { SourceId = null }));
        Assert.False(narrow.Matches(deleted with { Kind = "score.changed" }));
        Assert.False((everything with { ArticleIds = ["a-1"] }).Matches(deleted));
    }
}
