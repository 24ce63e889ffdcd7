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
    // The stake may come from the caller, who can work out each option's stakes once for all its claims.
    public static ClaimAssessment Assess(
        Ledger ledger, Claim claim, DateTimeOffset at, ScoringPolicy policy, ProvisionalTruth provisional, StandingTogether? together = null)
    {
        // The outcome leads the reason; how much the claim weighs follows it.
        var weightNotes = new List<string>();
        // The claim's own hedge and relay are noted; the stake it carries is weighed with the claims standing beside it.
        _ = Stake(claim, policy, weightNotes);
        var recency = Recency(claim, at, policy);
        weightNotes.Add(string.Create(CultureInfo.InvariantCulture, $"published {Day(claim.PublishedAt)} (recency x{recency:0.00})"));
        var undecayed = AssessOutcome(ledger, claim, policy, provisional, together ?? StandingTogether.Of(ledger, claim), []);
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
    public static (double Confirmed, double Refuted) Undecayed(Ledger ledger, Claim claim, ScoringPolicy policy, StandingTogether? together = null)
    {
        var c = AssessOutcome(ledger, claim, policy, ProvisionalTruth.None, together ?? StandingTogether.Of(ledger, claim), null).Contribution;
        return (c.Confirmed, c.Refuted);
    }

    public static double Recency(Claim claim, DateTimeOffset at, ScoringPolicy policy) =>
        Decay(Math.Max(0.0, (at - claim.PublishedAt).TotalDays), policy);

    /// <summary>What a weight keeps after <paramref name="days"/> under the policy's half-life.</summary>
    public static double Decay(double days, ScoringPolicy policy) =>
        policy.RecencyHalfLife is { } halfLife ? Math.Pow(0.5, days / halfLife.TotalDays) : 1.0;

    private static ClaimAssessment AssessOutcome(
        Ledger ledger, Claim claim, ScoringPolicy policy, ProvisionalTruth provisional, StandingTogether together, List<string>? reasons)
    {
        var corrections = ledger.CorrectionsOf(claim.Id);
        var silentlyDeleted = SilentlyDeleted(corrections);
        var resolution = ledger.ResolutionInForce(claim.PropositionId);

        if (resolution is { Verdict: Verdict.Confirmed, ConfirmedOption: { } truth })
        {
            return AssessResolved(ledger, claim, policy, truth, together, corrections, silentlyDeleted, reasons);
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

        return AssessProvisional(ledger, claim, policy, provisional, p, together, silentlyDeleted, reasons);
    }

    private static ClaimAssessment AssessResolved(
        Ledger ledger, Claim claim, ScoringPolicy policy, string truth, StandingTogether together,
        IReadOnlyList<Correction> corrections, bool silentlyDeleted, List<string>? reasons)
    {
        var resolvedAt = InForceSince(ledger.ResolutionsOf(claim.PropositionId), truth);
        var reversal = Direction(ledger, claim, corrections, truth);
        var returned = WithdrawnOption.ReturnedToBy(ledger, together.Carrier);
        // A false option already withdrawn once was corrected then; withdrawing it again after coming
        // back to it is a turn of the cycle, and crediting it would pay for every turn.
        var withdrawal = claim.Option == truth || returned is not null
            ? null
            : CreditedWithdrawal(ledger, together, replacement => replacement == truth);
        var undone = Undone(ledger, together, ref withdrawal);

        if (claim.Option == truth)
        {
            reasons?.Add($"confirmed on {Day(resolvedAt)}");
            // Echoing a verdict already published earns only the hindsight share, said first or said again.
            Func<Claim, double> timing = said => said.PublishedAt > resolvedAt ? policy.HindsightWeight : 1.0;
            if (together.Repeated is { } repeated && Raise(policy, together, claim, timing) is null)
            {
                return Repeat(claim, Judged(claim, ClaimOutcome.Confirmed, AdmiraltyCredibility.Confirmed, false, null, silentlyDeleted, reversal), together, repeated, reasons);
            }

            var weight = ShareOfStake(policy, together, claim, timing, reasons);
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
        if (together.Repeated is { } said && Raise(policy, together, claim, Firmly) is null)
        {
            return Repeat(
                claim, Judged(claim, ClaimOutcome.Refuted, AdmiraltyCredibility.Improbable, false, withdrawal?.Correction, silentlyDeleted, reversal),
                together, said, reasons);
        }

        if (returned is not null)
        {
            reasons?.Add(Returned(returned));
        }

        double factor;
        if (withdrawal is { Correction: var credited, Claim: var of })
        {
            var before = withdrawal.At < resolvedAt;
            factor = before ? policy.Corrections.CorrectedBeforeResolution : policy.Corrections.CorrectedAfterResolution;
            reasons?.Add($"{Verb(credited, "the truth")} on {Day(credited.At)}{LastTakenBack(together, of)}, {(before ? "before" : "after")} resolution");
        }
        else if (SilentlyDeletedAmong(ledger, together) is { } deleted)
        {
            factor = policy.Corrections.SilentDeletion;
            reasons?.Add(DeletedWithoutCorrection(claim, deleted));
        }
        else if (undone is { Correction: var taken, Return: var saidAgain })
        {
            factor = 1.0;
            reasons?.Add(SaidAgain(taken, saidAgain));
        }
        else
        {
            factor = 1.0;
            reasons?.Add(returned is not null && corrections.Any(c => c.IsPublicWithdrawal)
                ? "withdrawn again, no credit for correcting it twice"
                : StillSaying(ledger, together) is { } standing && corrections.Any(c => c.IsPublicWithdrawal)
                    ? $"withdrawn while {standing} still said it, no credit"
                    : !corrections.Any(c => c.Kind == CorrectionKind.Reversed)
                        ? "never corrected"
                        : "reversed without reaching the truth, no credit");
        }

        var weightAgainst = ShareOfStake(policy, together, claim, Firmly, reasons);
        var refuted = new ClaimContribution(
            claim.Id, claim.PropositionId, 0.0, weightAgainst * factor, false, AdmiraltyCredibility.Improbable, Reason(reasons));
        return new ClaimAssessment(refuted, ClaimOutcome.Refuted, withdrawal?.Correction, silentlyDeleted, reversal);
    }

    private static ClaimAssessment AssessProvisional(
        Ledger ledger, Claim claim, ScoringPolicy policy, ProvisionalTruth provisional, double p,
        StandingTogether together, bool silentlyDeleted, List<string>? reasons)
    {
        reasons?.Add(string.Create(CultureInfo.InvariantCulture, $"open, provisional probability {p:0.00}"));
        var credibility = p switch
        {
            >= 0.75 => AdmiraltyCredibility.ProbablyTrue,
            >= 0.5 => AdmiraltyCredibility.PossiblyTrue,
            >= 0.25 => AdmiraltyCredibility.Doubtful,
            _ => AdmiraltyCredibility.Improbable,
        };
        if (together.Repeated is { } repeated && Raise(policy, together, claim, Firmly) is null)
        {
            return Repeat(claim, Judged(claim, ClaimOutcome.Open, credibility, true, null, silentlyDeleted, ReversalDirection.None), together, repeated, reasons);
        }

        var returned = WithdrawnOption.ReturnedToBy(ledger, together.Carrier);
        // Not yet resolved, so any credited correction is a correction before resolution; a
        // reversal is credited only toward an option the estimate finds likelier.
        var withdrawal = returned is null
            ? CreditedWithdrawal(ledger, together, replacement => provisional.ProbabilityOf(claim.PropositionId, replacement) > p)
            : null;
        var undone = Undone(ledger, together, ref withdrawal);

        // What a verdict would give, weighed by the estimate: a return earns nothing if its option
        // proves true and counts in full if it proves false, its second correction uncredited.
        var share = p;
        if (returned is not null)
        {
            share = 0.0;
            reasons?.Add($"{Returned(returned)}, no fresh credit");
        }

        var factor = 1.0;
        if (withdrawal is { Correction: var credited, Claim: var of })
        {
            factor = policy.Corrections.CorrectedBeforeResolution;
            reasons?.Add($"{Verb(credited, "the likelier option")} on {Day(credited.At)}{LastTakenBack(together, of)}");
        }
        else if (SilentlyDeletedAmong(ledger, together) is { } deleted)
        {
            factor = policy.Corrections.SilentDeletion;
            reasons?.Add(DeletedWithoutCorrection(claim, deleted));
        }
        else if (undone is { Correction: var taken, Return: var saidAgain })
        {
            reasons?.Add(SaidAgain(taken, saidAgain));
        }

        var provisionalWeight = ShareOfStake(policy, together, claim, Firmly, reasons) * policy.ProvisionalWeight;
        var contribution = new ClaimContribution(
            claim.Id, claim.PropositionId, provisionalWeight * share, provisionalWeight * (1.0 - p) * factor,
            true, credibility, Reason(reasons));
        return new ClaimAssessment(contribution, ClaimOutcome.Open, null, silentlyDeleted, ReversalDirection.None);
    }

    /// <summary>Against the source, and on open questions, every claim counts as firmly as it was said, whenever it was said.</summary>
    private static double Firmly(Claim said) => 1.0;

    /// <summary>
    /// The claim's share of the stake it stands in. The stake is the strongest among the claims standing
    /// together, each weighed by its own timing: saying it again more firmly raises it once, but a repeat
    /// cannot bring an echo of the verdict in at full weight. Each claim that raised it holds the part it
    /// added, from its own date: a speculation made long ago and asserted now is a fresh assertion, while
    /// saying it again as firmly adds nothing and so cannot refresh an old claim's weight.
    /// </summary>
    private static double ShareOfStake(ScoringPolicy policy, StandingTogether together, Claim claim, Func<Claim, double> timing, List<string>? reasons)
    {
        if (together.Repeated is null)
        {
            if (together.Claims.Count > 1)
            {
                reasons?.Add($"said again by {string.Join(", ", together.Claims.Skip(1).Select(c => c.Id))}, counted once");
            }

            var raisers = Raisers(policy, together, timing);
            if (raisers.Count > 0)
            {
                reasons?.Add($"{string.Join(", ", raisers)} said it more firmly and {(raisers.Count == 1 ? "holds" : "hold")} the rest from {(raisers.Count == 1 ? "its" : "their")} own date");
            }

            return Stake(claim, policy, null) * timing(claim);
        }

        var raise = Raise(policy, together, claim, timing);
        if (raise is { } added)
        {
            reasons?.Add(string.Create(CultureInfo.InvariantCulture,
                $"says again what {added.Over.Id} said, more firmly: adds x{added.By:0.##} to the stake counted once with {together.Carrier.Id}"));
        }

        return raise?.By ?? 0.0;
    }

    /// <summary>
    /// How much a claim said again raised the stake above the strongest said before it among the claims
    /// standing together, and over which; null when it did not raise it (a plain repeat, or the carrier).
    /// </summary>
    private static (double By, Claim Over)? Raise(ScoringPolicy policy, StandingTogether together, Claim claim, Func<Claim, double> timing)
    {
        var strongest = Stake(together.Carrier, policy, null) * timing(together.Carrier);
        // Most repeats are said as firmly as the first: they cannot raise it, and a source may repeat one claim hundreds of times.
        if (claim.Id == together.Carrier.Id || Stake(claim, policy, null) * timing(claim) <= strongest)
        {
            return null;
        }

        var over = together.Carrier;
        foreach (var said in together.Claims.Skip(1))
        {
            var stake = Stake(said, policy, null) * timing(said);
            if (said.Id == claim.Id)
            {
                return stake > strongest ? (stake - strongest, over) : null;
            }

            if (stake > strongest)
            {
                strongest = stake;
                over = said;
            }
        }

        return null;
    }

    /// <summary>
    /// The claims said again more firmly than any before them, whenever said: every claim that can hold a
    /// part of the stake (a verdict's timing can only take some of them out).
    /// </summary>
    internal static List<string> Raisers(ScoringPolicy policy, StandingTogether together) => Raisers(policy, together, Firmly);

    /// <summary>The claims said again that raised the stake, in claim order, found in one pass.</summary>
    private static List<string> Raisers(ScoringPolicy policy, StandingTogether together, Func<Claim, double> timing)
    {
        if (together.Claims.Count == 1)
        {
            return [];
        }

        var raisers = new List<string>();
        var strongest = Stake(together.Carrier, policy, null) * timing(together.Carrier);
        foreach (var said in together.Claims.Skip(1))
        {
            var stake = Stake(said, policy, null) * timing(said);
            if (stake > strongest)
            {
                raisers.Add(said.Id);
                strongest = stake;
            }
        }

        return raisers;
    }

    /// <summary>A claim judged with no weight yet.</summary>
    private static ClaimAssessment Judged(
        Claim claim, ClaimOutcome outcome, AdmiraltyCredibility credibility, bool provisional, Correction? withdrawal,
        bool silentlyDeleted, ReversalDirection reversal) =>
        new(new ClaimContribution(claim.Id, claim.PropositionId, 0.0, 0.0, provisional, credibility, ""), outcome, withdrawal, silentlyDeleted, reversal);

    private static ClaimAssessment Repeat(
        Claim claim, ClaimAssessment judged, StandingTogether together, Claim repeated, List<string>? reasons)
    {
        reasons?.Add(repeated.Id == together.Carrier.Id
            ? $"repeats {repeated.Id}, counted once"
            : $"repeats {repeated.Id}, counted once with {together.Carrier.Id}");
        return judged with { Contribution = judged.Contribution with { Confirmed = 0.0, Refuted = 0.0, Reason = Reason(reasons) } };
    }

    /// <summary>
    /// A claim standing together with this one deleted without a public withdrawal: deleting one copy
    /// cannot launder what the others still say.
    /// </summary>
    private static Claim? SilentlyDeletedAmong(Ledger ledger, StandingTogether together) =>
        together.Claims.FirstOrDefault(c => SilentlyDeleted(ledger.CorrectionsOf(c.Id)));

    private static string DeletedWithoutCorrection(Claim claim, Claim deleted) =>
        deleted.Id == claim.Id ? "deleted without correction" : $"{deleted.Id} deleted without correction";

    private static bool SilentlyDeleted(IReadOnlyList<Correction> corrections) =>
        corrections.Any(c => c.IsSilentDeletion) && !corrections.Any(c => c.IsPublicWithdrawal);

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
    /// A credited withdrawal the source has undone: it went back to the option and a claim of it, said after
    /// the stake and outside it, still stands. The source stands by what it had corrected, so the correction
    /// earns nothing while that claim stands (withdrawn in turn, the first correction counts again). Clears
    /// <paramref name="withdrawal"/> when so.
    /// </summary>
    private static (Correction Correction, Claim Return)? Undone(Ledger ledger, StandingTogether together, ref TakenBack? withdrawal)
    {
        if (withdrawal is null)
        {
            return null;
        }

        var carrier = together.Carrier;
        Claim? earliest = null;
        foreach (var other in ledger.ClaimsOn(carrier.SourceId, carrier.PropositionId))
        {
            if (other.Option == carrier.Option
                && ClaimOrder.Instance.Compare(carrier, other) < 0
                && (earliest is null || ClaimOrder.Instance.Compare(other, earliest) < 0)
                // Said after the last of the stake was taken back, it cannot be one of them.
                && (other.PublishedAt > withdrawal.At || !together.Claims.Any(member => ReferenceEquals(member, other)))
                && !ledger.CorrectionsOf(other.Id).Any(c => c.IsPublicWithdrawal))
            {
                earliest = other;
            }
        }

        if (earliest is null)
        {
            return null;
        }

        var undone = (withdrawal.Correction, earliest);
        withdrawal = null;
        return undone;
    }

    private static string SaidAgain(Correction taken, Claim saidAgain) =>
        $"{Verb(taken, null)} on {Day(taken.At)}, but said again by {saidAgain.Id}, which still stands: no credit";

    /// <summary>
    /// When the source took back the last of the claims standing together, each by a credited withdrawal:
    /// taking down one of two identical posts while the other stays up does not correct the belief.
    /// </summary>
    private static TakenBack? CreditedWithdrawal(Ledger ledger, StandingTogether together, Func<string, bool> creditsReversalTo)
    {
        TakenBack? last = null;
        foreach (var said in together.Claims)
        {
            if (CreditedWithdrawal(ledger, ledger.CorrectionsOf(said.Id), creditsReversalTo) is not { } withdrawal)
            {
                return null;
            }

            var taken = new TakenBack(withdrawal, said);
            // Ties by id, so the reason never depends on recording order.
            if (last is null || taken.At > last.At || (taken.At == last.At && string.CompareOrdinal(withdrawal.Id, last.Correction.Id) > 0))
            {
                last = taken;
            }
        }

        return last;
    }

    private static string LastTakenBack(StandingTogether together, Claim of) =>
        together.Claims.Count > 1 ? $" ({of.Id}, the last of them)" : "";

    /// <summary>The claims standing together that the source has not publicly withdrawn; null when there are none.</summary>
    private static string? StillSaying(Ledger ledger, StandingTogether together)
    {
        var standing = together.Claims.Where(c => !ledger.CorrectionsOf(c.Id).Any(k => k.IsPublicWithdrawal)).Select(c => c.Id).ToList();
        return together.Claims.Count > 1 && standing.Count > 0 ? string.Join(", ", standing) : null;
    }

    /// <summary>A credited withdrawal of one of the claims standing together.</summary>
    private sealed record TakenBack(Correction Correction, Claim Claim)
    {
        /// <summary>A withdrawal dated before its own claim is a slip in the dates: it came no earlier than the claim.</summary>
        public DateTimeOffset At => Latest(Correction.At, Claim.PublishedAt);
    }

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
