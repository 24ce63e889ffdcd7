using System.Text.Json.Serialization;

namespace Reliability.Domain.Model;

/// <summary>One source asserting one option of one proposition at one time.</summary>
/// <remarks>RelayOfClaimId: The claim this one relays (retweet, quote, wire copy), if declared.</remarks>
public sealed record Claim(
    string Id,
    string SourceId,
    string PropositionId,
    string Option,
    DateTimeOffset PublishedAt,
    string? Url,
    string? OriginalText,
    string? Language,
    Hedge Hedge,
    string? RelayOfClaimId,
    IReadOnlyList<string> EvidenceUrls)
{
    [JsonIgnore]
    public bool IsRelay => RelayOfClaimId is not null;
}
