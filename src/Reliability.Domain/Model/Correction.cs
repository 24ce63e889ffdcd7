using System.Text.Json.Serialization;

namespace Reliability.Domain.Model;

/// <summary>Something that happened to a claim after it was made.</summary>
/// <remarks>Deletion: For <see cref="CorrectionKind.Deleted"/>: observed or announced.
/// ReplacementClaimId: For <see cref="CorrectionKind.Reversed"/>: the new claim, recorded separately.</remarks>
public sealed record Correction(
    string Id,
    string ClaimId,
    CorrectionKind Kind,
    DateTimeOffset At,
    string? Url,
    string? Note,
    DeletionNotice? Deletion = null,
    string? ReplacementClaimId = null)
{
    /// <summary>
    /// The source withdrew the claim where its audience could see it. Whether a reversal earns
    /// credit also depends on where it went, which only the resolution can tell.
    /// </summary>
    [JsonIgnore]
    public bool IsPublicWithdrawal => Kind switch
    {
        CorrectionKind.Retracted or CorrectionKind.Reversed => true,
        CorrectionKind.Deleted => Deletion == DeletionNotice.Announced,
        _ => false,
    };

    /// <summary>
    /// The claim no longer asserts its option: the source retracted it or reversed it to another. A
    /// deleted claim still does (deleting cannot launder a record).
    /// </summary>
    [JsonIgnore]
    public bool EndsAssertion => Kind is CorrectionKind.Retracted or CorrectionKind.Reversed;

    [JsonIgnore]
    public bool IsSilentDeletion => Kind == CorrectionKind.Deleted && Deletion != DeletionNotice.Announced;
}
