namespace Reliability.Domain.Tests;

/// <summary>Terse event builders: times are days after the Acharane attack.</summary>
internal static class History
{
    public const string Subject = "S";

    public static readonly DateTimeOffset T0 = new(2023, 9, 28, 0, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset Day(double day) => T0.AddDays(day);

    public static PropositionOpened Proposition(
        string id, string[]? options = null, string[]? topics = null, string? region = null, double day = 0) =>
        new(new Proposition(id, $"Question {id}?", options ?? ["yes", "no"], topics ?? [], region), Day(day));

    public static ClaimRecorded Claim(
        string id, string proposition, string option, double day,
        Hedge hedge = Hedge.Asserted, string? relayOf = null, string source = Subject) =>
        new(new Claim(id, source, proposition, option, Day(day), $"https://x.example/{id}", "text", "en", hedge, relayOf, []));

    public static CorrectionRecorded Correction(
        string id, string claim, CorrectionKind kind, double day,
        DeletionNotice? deletion = null, string? replacement = null) =>
        new(new Correction(id, claim, kind, Day(day), null, null, deletion, replacement));

    public static CorrectionRecorded SilentDeletion(string id, string claim, double day) =>
        Correction(id, claim, CorrectionKind.Deleted, day, DeletionNotice.Observed);

    public static CorrectionRecorded Retraction(string id, string claim, double day) =>
        Correction(id, claim, CorrectionKind.Retracted, day);

    public static PropositionResolved Resolved(string proposition, string option, double day, int revision = 1) =>
        new(new Resolution(proposition, revision, Verdict.Confirmed, option, [], "editor", null, Day(day)));

    /// <summary>A two-option proposition, one claim on it and the verdict.</summary>
    public static IReliabilityEvent[] ResolvedClaim(
        string claimId, string proposition, string option, string truth, double day, double resolvedDay,
        string? relayOf = null) =>
        [
            Proposition(proposition, [.. new[] { option, truth, "other" }.Distinct().Take(2)], day: day),
            Claim(claimId, proposition, option, day, relayOf: relayOf),
            Resolved(proposition, truth, resolvedDay),
        ];

    public static PropositionResolved Unresolvable(string proposition, double day, int revision = 1) =>
        new(new Resolution(proposition, revision, Verdict.Unresolvable, null, [], "editor", null, Day(day)));
}
