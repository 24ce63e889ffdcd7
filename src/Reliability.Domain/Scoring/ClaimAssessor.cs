using System.Globalization;
using Reliability.Domain.Model;

namespace Reliability.Domain.Scoring;

internal enum ClaimOutcome
{
    Open,
    Confirmed,
    Refuted,
    Unresolvable,
}

internal enum ReversalDirection
{
    None,
    TowardTruth,
    AwayFromTruth,
}

/// <summary>One claim judged as of a time, with the facts the correction metrics are built from.</summary>
internal sealed record ClaimAssessment(
    ClaimContribution Contribution,
    ClaimOutcome Outcome,
    Correction? CreditedWithdrawal,
    bool SilentlyDeleted,
    ReversalDirection Reversal);

/// <summary>
/// Turns one claim and what became of it into weight for and against its source. The ledger is
/// assumed to hold only events at or before <c>at</c>.
/// </summary>
internal static class ClaimAssessor
{
    public static ClaimAssessment Assess(
        Ledger ledger, Claim claim, DateTimeOffset at, ScoringPolicy policy, ProvisionalTruth provisional)
    {
        // The outcome leads the reason; how much the claim weighs follows it.
        var weightNotes = new List<string>();
        var stake = Stake(claim, policy, weightNotes);
        var recency = Recency(claim, at, policy);
        weightNotes.Add(string.Create(CultureInfo.InvariantCulture, $"published {Day(claim.PublishedAt)} (recency x{recency:0.00})"));
        var undecayed = AssessOutcome(ledger, claim, policy, provisional, stake, []);
        var c = undecayed.Contribution;
        return undecayed with
        {
            Contribution = c with
            {
                // Recency is applied last, exactly as the band walk applies it to cached weights.
                Confirmed = recency * c.Confirmed,
                Refuted = recency * c.Refuted,
                Reason = string.Join("; ", [c.Reason, .. weightNotes]),
            },
        };
    }

    /// <summary>
    /// The claim's weights before recency, from resolutions alone: what the band walk caches,
    /// since only an event about the claim can change them.
    /// </summary>
    public static (double Confirmed, double Refuted) Undecayed(Ledger ledger, Claim claim, ScoringPolicy policy)
    {
        var c = AssessOutcome(ledger, claim, policy, ProvisionalTruth.None, Stake(claim, policy, null), null).Contribution;
        return (c.Confirmed, c.Refuted);
    }

    public static double Recency(Claim claim, DateTimeOffset at, ScoringPolicy policy) =>
        Decay(Math.Max(0.0, (at - claim.PublishedAt).TotalDays), policy);

    /// <summary>What a weight keeps after <paramref name="days"/> under the policy's half-life.</summary>
    public static double Decay(double days, ScoringPolicy policy) =>
        policy.RecencyHalfLife is { } halfLife ? Math.Pow(0.5, days / halfLife.TotalDays) : 1.0;

    private static ClaimAssessment AssessOutcome(
        Ledger ledger, Claim claim, ScoringPolicy policy, ProvisionalTruth provisional, double weight, List<string>? reasons)
    {
        var corrections = ledger.CorrectionsOf(claim.Id);
        var silentlyDeleted = corrections.Any(c => c.IsSilentDeletion) && !corrections.Any(c => c.IsPublicWithdrawal);
        var resolution = ledger.ResolutionInForce(claim.PropositionId);

        if (resolution is { Verdict: Verdict.Confirmed, ConfirmedOption: { } truth })
        {
            return AssessResolved(
                ledger, claim, policy, truth, weight, corrections, silentlyDeleted, WithdrawnOption.ReturnedToBy(ledger, claim), reasons);
        }

        if (resolution is { Verdict: Verdict.Unresolvable })
        {
            reasons?.Add($"judged unresolvable on {Day(resolution.At)}");
            return Neutral(claim, ClaimOutcome.Unresolvable, reasons, silentlyDeleted);
        }

        if (provisional.ProbabilityOf(claim.PropositionId, claim.Option) is not { } p)
        {
            reasons?.Add("open, no estimate yet");
            return Neutral(claim, ClaimOutcome.Open, reasons, silentlyDeleted);
        }

        if (provisional.Uncorroborated.Contains(claim.PropositionId))
        {
            reasons?.Add(string.Create(CultureInfo.InvariantCulture,
                $"open, no other source has claimed on it (provisional probability {p:0.00}, from this source's own record alone)"));
            return Neutral(claim, ClaimOutcome.Open, reasons, silentlyDeleted);
        }

        return AssessProvisional(
            ledger, claim, policy, provisional, p, weight, corrections, silentlyDeleted, WithdrawnOption.ReturnedToBy(ledger, claim), reasons);
    }

    private static ClaimAssessment AssessResolved(
        Ledger ledger, Claim claim, ScoringPolicy policy, string truth, double weight,
        IReadOnlyList<Correction> corrections, bool silentlyDeleted, WithdrawnOption? returned, List<string>? reasons)
    {
        var resolvedAt = InForceSince(ledger.ResolutionsOf(claim.PropositionId), truth);
        var reversal = Direction(ledger, claim, corrections, truth);

        if (claim.Option == truth)
        {
            reasons?.Add($"confirmed on {Day(resolvedAt)}");
            if (returned is not null)
            {
                // The option earned its credit when the source first held it; coming back to it after
                // withdrawing it would let a source collect that credit once per turn.
                weight = 0.0;
                reasons?.Add($"{Returned(returned)}, no fresh credit");
            }
            else if (claim.PublishedAt > resolvedAt)
            {
                // Repeating a verdict already published shows nothing about the source, and
                // crediting it would let anyone pad a record after the fact.
                weight *= policy.HindsightWeight;
                reasons?.Add(string.Create(CultureInfo.InvariantCulture, $"published after the verdict (x{policy.HindsightWeight:0.##})"));
            }

            if (returned is null && corrections.Where(c => c.Kind is CorrectionKind.Deleted or CorrectionKind.Retracted)
                .OrderBy(c => c.At).ThenBy(c => c.Id, StringComparer.Ordinal).FirstOrDefault() is { } withdrawn)
            {
                // History is never lost: a true claim taken down was still made, and still counts.
                reasons?.Add($"{withdrawn.Kind.ToString().ToLowerInvariant()} later, credit kept");
            }

            if (reversal == ReversalDirection.AwayFromTruth)
            {
                reasons?.Add("reversed away from the truth, no credit for the reversal");
            }

            var contribution = new ClaimContribution(
                claim.Id, claim.PropositionId, weight, 0.0, false, AdmiraltyCredibility.Confirmed, Reason(reasons));
            return new ClaimAssessment(contribution, ClaimOutcome.Confirmed, null, silentlyDeleted, reversal);
        }

        reasons?.Add($"refuted on {Day(resolvedAt)}");
        if (returned is not null)
        {
            reasons?.Add(Returned(returned));
        }

        // A false option already withdrawn once was corrected then; withdrawing it again after coming
        // back to it is a turn of the cycle, and crediting it would pay for every turn.
        var withdrawal = returned is null ? CreditedWithdrawal(ledger, corrections, replacement => replacement == truth) : null;
        double factor;
        if (withdrawal is not null)
        {
            // A withdrawal dated before its own claim is a slip in the dates: it came no earlier than the claim.
            var before = Latest(withdrawal.At, claim.PublishedAt) < resolvedAt;
            factor = before ? policy.Corrections.CorrectedBeforeResolution : policy.Corrections.CorrectedAfterResolution;
            reasons?.Add($"{Verb(withdrawal, "the truth")} on {Day(withdrawal.At)}, {(before ? "before" : "after")} resolution");
        }
        else if (silentlyDeleted)
        {
            factor = policy.Corrections.SilentDeletion;
            reasons?.Add("deleted without correction");
        }
        else
        {
            factor = 1.0;
            reasons?.Add(returned is not null && corrections.Any(c => c.IsPublicWithdrawal)
                ? "withdrawn again, no credit for correcting it twice"
                : !corrections.Any(c => c.Kind == CorrectionKind.Reversed)
                    ? "never corrected"
                    : "reversed without reaching the truth, no credit");
        }

        var refuted = new ClaimContribution(
            claim.Id, claim.PropositionId, 0.0, weight * factor, false, AdmiraltyCredibility.Improbable, Reason(reasons));
        return new ClaimAssessment(refuted, ClaimOutcome.Refuted, withdrawal, silentlyDeleted, reversal);
    }

    private static ClaimAssessment AssessProvisional(
        Ledger ledger, Claim claim, ScoringPolicy policy, ProvisionalTruth provisional, double p, double weight,
        IReadOnlyList<Correction> corrections, bool silentlyDeleted, WithdrawnOption? returned, List<string>? reasons)
    {
        reasons?.Add(string.Create(CultureInfo.InvariantCulture, $"open, provisional probability {p:0.00}"));
        // What a verdict would give, weighed by the estimate: a return earns nothing if its option
        // proves true and counts in full if it proves false, its second correction uncredited.
        var share = p;
        if (returned is not null)
        {
            share = 0.0;
            reasons?.Add($"{Returned(returned)}, no fresh credit");
        }

        // Not yet resolved, so any credited correction is a correction before resolution; a
        // reversal is credited only toward an option the estimate finds likelier.
        var withdrawal = returned is null
            ? CreditedWithdrawal(ledger, corrections, replacement => provisional.ProbabilityOf(claim.PropositionId, replacement) > p)
            : null;
        var factor = 1.0;
        if (withdrawal is not null)
        {
            factor = policy.Corrections.CorrectedBeforeResolution;
            reasons?.Add($"{Verb(withdrawal, "the likelier option")} on {Day(withdrawal.At)}");
        }
        else if (silentlyDeleted)
        {
            factor = policy.Corrections.SilentDeletion;
            reasons?.Add("deleted without correction");
        }

        var provisionalWeight = weight * policy.ProvisionalWeight;
        var credibility = p switch
        {
            >= 0.75 => AdmiraltyCredibility.ProbablyTrue,
            >= 0.5 => AdmiraltyCredibility.PossiblyTrue,
            >= 0.25 => AdmiraltyCredibility.Doubtful,
            _ => AdmiraltyCredibility.Improbable,
        };
        var contribution = new ClaimContribution(
            claim.Id, claim.PropositionId, provisionalWeight * share, provisionalWeight * (1.0 - p) * factor,
            true, credibility, Reason(reasons));
        return new ClaimAssessment(contribution, ClaimOutcome.Open, null, silentlyDeleted, ReversalDirection.None);
    }

    /// <summary>How much of its name the source staked on the claim: hedge times relay discount.</summary>
    private static double Stake(Claim claim, ScoringPolicy policy, List<string>? reasons)
    {
        var hedge = claim.Hedge switch
        {
            Hedge.Reported => policy.Hedges.Reported,
            Hedge.Speculative => policy.Hedges.Speculative,
            _ => policy.Hedges.Asserted,
        };
        if (claim.Hedge != Hedge.Asserted)
        {
            reasons?.Add(string.Create(CultureInfo.InvariantCulture, $"{claim.Hedge.ToString().ToLowerInvariant()} (x{hedge:0.##})"));
        }

        var relay = 1.0;
        if (claim.IsRelay)
        {
            relay = policy.RelayWeight;
            reasons?.Add(string.Create(CultureInfo.InvariantCulture, $"relay of {claim.RelayOfClaimId} (x{relay:0.##})"));
        }

        return hedge * relay;
    }

    private static ReversalDirection Direction(Ledger ledger, Claim claim, IReadOnlyList<Correction> corrections, string truth)
    {
        foreach (var reversal in corrections.Where(c => c.Kind == CorrectionKind.Reversed).OrderBy(c => c.At))
        {
            var replacement = ReplacementOption(ledger, reversal);
            if (claim.Option != truth && replacement == truth)
            {
                return ReversalDirection.TowardTruth;
            }

            if (claim.Option == truth && replacement is not null && replacement != truth)
            {
                return ReversalDirection.AwayFromTruth;
            }
        }

        return ReversalDirection.None;
    }

    /// <summary>Where a reversal went; null until the replacement claim is known.</summary>
    private static string? ReplacementOption(Ledger ledger, Correction reversal) =>
        reversal.ReplacementClaimId is { } id ? ledger.FindClaim(id)?.Option : null;

    private static ClaimAssessment Neutral(Claim claim, ClaimOutcome outcome, List<string>? reasons, bool silentlyDeleted) =>
        new(new ClaimContribution(claim.Id, claim.PropositionId, 0.0, 0.0, false, AdmiraltyCredibility.CannotBeJudged, Reason(reasons)),
            outcome, null, silentlyDeleted, ReversalDirection.None);

    /// <summary>
    /// The earliest public withdrawal that earns credit: a retraction, an announced deletion, or a
    /// reversal whose replacement the caller credits (toward the truth, or the likelier option).
    /// </summary>
    private static Correction? CreditedWithdrawal(
        Ledger ledger, IReadOnlyList<Correction> corrections, Func<string, bool> creditsReversalTo) =>
        corrections
            .Where(c => c.Kind is CorrectionKind.Retracted
                || (c.Kind == CorrectionKind.Deleted && c.IsPublicWithdrawal)
                || (c.Kind == CorrectionKind.Reversed && ReplacementOption(ledger, c) is { } replacement && creditsReversalTo(replacement)))
            // Ties by id, so two withdrawals at one moment give the same reason whatever order they were recorded in.
            .OrderBy(c => c.At).ThenBy(c => c.Id, StringComparer.Ordinal)
            .FirstOrDefault();

    /// <summary>
    /// Since when the verdict now in force has stood unbroken. A revision that changes the verdict
    /// restarts the clock: a claim made, or corrected, while another verdict stood was made or
    /// corrected before this one existed (B confirmed, then A, then B again: a source saying B while
    /// A stood was not echoing the editors). Revisions come in revision order.
    /// </summary>
    internal static DateTimeOffset InForceSince(IReadOnlyList<Resolution> revisions, string truth)
    {
        DateTimeOffset? since = null;
        foreach (var revision in revisions)
        {
            since = revision.Verdict == Verdict.Confirmed && revision.ConfirmedOption == truth ? since ?? revision.At : null;
        }

        return since ?? throw new InvalidOperationException($"No revision in force confirms '{truth}'.");
    }

    private static DateTimeOffset Latest(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static string Verb(Correction c, string? towardWhat) => c.Kind switch
    {
        CorrectionKind.Retracted => "retracted",
        CorrectionKind.Reversed => towardWhat is null ? "reversed" : $"reversed toward {towardWhat}",
        _ => "deletion announced",
    };

    private static string Returned(WithdrawnOption returned) =>
        $"returned to an option it had withdrawn ({returned.Earlier.Id}, {Verb(returned.Withdrawal, null)} on {Day(returned.Withdrawal.At)})";

    private static string Day(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Reason(List<string>? reasons) => reasons is null ? "" : string.Join("; ", reasons);
}
