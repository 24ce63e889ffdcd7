using Reliability.Domain.Model;

namespace Reliability.Domain.Scoring;

/// <summary>
/// The claims of one option a source has kept standing together on a proposition: each said while an
/// earlier claim of that option by the same source still stood (not publicly withdrawn). Saying it again
/// stakes nothing new, so they are one stake, carried by the earliest, when the source first staked its name;
/// a claim that said it more firmly than those before it holds the part it added (<see cref="ClaimAssessor"/>).
/// </summary>
/// <remarks>
/// Claims: In claim order; the first is the carrier. Kept by <see cref="OptionStakes"/>, which grows it in
/// place as the band walk adds claims said again, so a stake read earlier in a walk sees them too.
/// Repeated: The claim this one was said again beside, null for the carrier.
/// </remarks>
internal sealed record StandingTogether(IReadOnlyList<Claim> Claims, Claim? Repeated)
{
    public Claim Carrier => Claims[0];

    /// <summary>The stake the claim belongs to.</summary>
    public static StandingTogether Of(Ledger ledger, Claim claim) =>
        OptionStakes.Of(ledger, claim.SourceId, claim.PropositionId, claim.Option)[claim.Id];

    /// <summary>When the claim stopped standing; a withdrawal dated before its own claim came no earlier than the claim.</summary>
    internal static DateTimeOffset? WithdrawnAt(Ledger ledger, Claim claim) =>
        WithdrawnOption.FirstWithdrawal(ledger, claim) is { } withdrawal
            ? withdrawal.At > claim.PublishedAt ? withdrawal.At : claim.PublishedAt
            : null;
}

/// <summary>
/// The stakes of one option a source holds on a proposition, built claim by claim in claim order. The band
/// walk meets a source's claims mostly in that order, and adds each to the stakes it has already built
/// instead of working the option out again at every claim: that cost more than the rest of a score's walk
/// for a source saying a hundred things on each of its questions.
/// </summary>
internal sealed class OptionStakes
{
    // Claims in claim order, each with when it stopped standing, its stake, and the claims of that stake
    // (one list shared by every claim of it, so saying it again grows the stake in place).
    private readonly List<Said> _said = [];
    private readonly List<StandingTogether> _stakes = [];
    // How many claims of each stake have not been publicly withdrawn.
    private readonly List<int> _standing = [];
    // Claim ids to positions, once an option holds more claims than a glance takes in.
    private Dictionary<string, int>? _positions;
    // The earliest claim still standing. Claims come in order of publication, so one withdrawn by the
    // time a claim was made was withdrawn for every later one too: the search never goes back.
    private int _earliest;

    private const int LookedUpByScanning = 8;

    /// <summary>
    /// Each claim of the option by the source on the proposition, with the stake it belongs to. A claim
    /// reached down its source's reversals from a claim of its option is a return (<see cref="WithdrawnOption"/>)
    /// and starts a stake of its own, whatever the dates say.
    /// </summary>
    public static OptionStakes Of(Ledger ledger, string sourceId, string propositionId, string option)
    {
        var sameOption = new List<Claim>();
        foreach (var said in ledger.ClaimsOn(sourceId, propositionId))
        {
            if (said.Option == option)
            {
                sameOption.Add(said);
            }
        }

        sameOption.Sort(ClaimOrder.Instance);
        var stakes = new OptionStakes();
        foreach (var said in sameOption)
        {
            stakes.TryAdd(ledger, said);
        }

        return stakes;
    }

    /// <summary>The stake of one of the option's claims.</summary>
    public StandingTogether this[string claimId] =>
        PositionOf(claimId) is var at and >= 0 ? _said[at].Stake : throw new KeyNotFoundException($"Claim {claimId} is not among the option's claims.");

    /// <summary>The option's stakes, each as its carrier stands in it, in claim order.</summary>
    public IReadOnlyList<StandingTogether> Stakes => _stakes;

    /// <summary>The stakes every claim of which has been publicly withdrawn: the only ones a correction can have ended.</summary>
    public IEnumerable<StandingTogether> WhollyWithdrawn => _stakes.Where((_, i) => _standing[i] == 0);

    /// <summary>Every claim of the option with its stake, in claim order.</summary>
    public IEnumerable<(Claim Claim, StandingTogether Stake)> Claims => _said.Select(s => (s.Claim, s.Stake));

    /// <summary>
    /// Adds a claim that comes after every claim already added, in claim order, judged against the ledger as
    /// it is now; false, with nothing changed, when it does not come after them. What was added before is not
    /// looked at again: a correction of one of those since is for <see cref="TryWithdraw"/>, or asks for the
    /// option to be built afresh.
    /// </summary>
    public bool TryAdd(Ledger ledger, Claim said)
    {
        if (_said.Count > 0 && ClaimOrder.Instance.Compare(_said[^1].Claim, said) >= 0)
        {
            return false;
        }

        while (_earliest < _said.Count && _said[_earliest].WithdrawnAt is { } at && at <= said.PublishedAt)
        {
            _earliest++;
        }

        StandingTogether stake;
        List<Claim> members;
        int index;
        if (_earliest < _said.Count && WithdrawnOption.AlongReversals(ledger, said) is null)
        {
            var beside = _said[_earliest];
            members = beside.Members;
            members.Add(said);
            stake = new StandingTogether(members, beside.Claim);
            index = beside.StakeIndex;
        }
        else
        {
            members = [said];
            stake = new StandingTogether(members, null);
            index = _stakes.Count;
            _stakes.Add(stake);
            _standing.Add(0);
        }

        var withdrawnAt = StandingTogether.WithdrawnAt(ledger, said);
        if (withdrawnAt is null)
        {
            _standing[index]++;
        }

        _said.Add(new Said(said, withdrawnAt, stake, members, index));
        if (_positions is not null)
        {
            _positions[said.Id] = _said.Count - 1;
        }
        else if (_said.Count > LookedUpByScanning)
        {
            _positions = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < _said.Count; i++)
            {
                _positions[_said[i].Claim.Id] = i;
            }
        }

        return true;
    }

    /// <summary>
    /// Takes in a public withdrawal of one of the option's claims recorded since it was added: when the claim
    /// stopped standing is all that can change, and when that is after every claim the option holds was
    /// made, no claim's stake changes (later claims will find it withdrawn). False, with nothing changed,
    /// when it is not so, and the option must be built afresh.
    /// </summary>
    public bool TryWithdraw(Ledger ledger, Claim said)
    {
        if (PositionOf(said.Id) is not (var at and >= 0))
        {
            return false;
        }

        var withdrawnAt = StandingTogether.WithdrawnAt(ledger, said);
        if (withdrawnAt == _said[at].WithdrawnAt)
        {
            return true;
        }

        if (withdrawnAt is not { } now || now <= _said[^1].Claim.PublishedAt)
        {
            return false;
        }

        if (_said[at].WithdrawnAt is null)
        {
            _standing[_said[at].StakeIndex]--;
        }

        _said[at] = _said[at] with { WithdrawnAt = now };
        return true;
    }

    private int PositionOf(string claimId)
    {
        if (_positions is not null)
        {
            return _positions.TryGetValue(claimId, out var at) ? at : -1;
        }

        for (var i = _said.Count - 1; i >= 0; i--)
        {
            if (_said[i].Claim.Id == claimId)
            {
                return i;
            }
        }

        return -1;
    }

    private readonly record struct Said(Claim Claim, DateTimeOffset? WithdrawnAt, StandingTogether Stake, List<Claim> Members, int StakeIndex);
}
