using Reliability.Infrastructure.Watching;

namespace Reliability.Infrastructure.Tests.Watching;

public sealed class DeletionEvidenceTests
{
    private static DeletionEvidence Fold(params PostVerdict[] verdicts) =>
        verdicts.Aggregate(DeletionEvidence.Initial, (evidence, verdict) => evidence.Apply(verdict, confirmations: 3));

    [Fact]
    public void Three_consecutive_gone_answers_confirm_a_deletion_once()
    {
        var one = DeletionEvidence.Initial.Apply(PostVerdict.Gone, 3);
        var two = one.Apply(PostVerdict.Gone, 3);
        var three = two.Apply(PostVerdict.Gone, 3);
        var four = three.Apply(PostVerdict.Gone, 3);

        Assert.Equal(new DeletionEvidence(EvidenceState.SuspectedGone, 1), one);
        Assert.Equal(new DeletionEvidence(EvidenceState.SuspectedGone, 2), two);
        Assert.Equal(EvidenceState.ConfirmedGone, three.State);
        Assert.True(three.JustConfirmed);
        Assert.Equal(EvidenceState.ConfirmedGone, four.State);
        Assert.False(four.JustConfirmed);
    }

    [Fact]
    public void Unknown_answers_neither_count_toward_gone_nor_reset_it()
    {
        var evidence = Fold(PostVerdict.Gone, PostVerdict.Unknown, PostVerdict.Unknown, PostVerdict.Unknown, PostVerdict.Gone);
        Assert.Equal(new DeletionEvidence(EvidenceState.SuspectedGone, 2), evidence);

        Assert.Equal(DeletionEvidence.Initial, Fold(PostVerdict.Unknown, PostVerdict.Unknown, PostVerdict.Unknown, PostVerdict.Unknown));
    }

    [Fact]
    public void A_live_answer_starts_the_count_over()
    {
        Assert.Equal(DeletionEvidence.Initial, Fold(PostVerdict.Gone, PostVerdict.Gone, PostVerdict.Live));
        Assert.Equal(EvidenceState.SuspectedGone, Fold(PostVerdict.Gone, PostVerdict.Gone, PostVerdict.Live, PostVerdict.Gone).State);
    }

    [Fact]
    public void Withheld_is_its_own_state_and_not_a_deletion()
    {
        Assert.Equal(new DeletionEvidence(EvidenceState.Withheld, 0), Fold(PostVerdict.Gone, PostVerdict.Gone, PostVerdict.Withheld));
        Assert.Equal(EvidenceState.Withheld, Fold(PostVerdict.Withheld, PostVerdict.Unknown).State);
    }

    [Fact]
    public void A_restored_post_is_live_again()
    {
        Assert.Equal(DeletionEvidence.Initial, Fold(PostVerdict.Gone, PostVerdict.Gone, PostVerdict.Gone, PostVerdict.Live));
    }

    [Fact]
    public void One_confirmation_confirms_on_the_first_gone()
    {
        var evidence = DeletionEvidence.Initial.Apply(PostVerdict.Gone, confirmations: 1);
        Assert.Equal(EvidenceState.ConfirmedGone, evidence.State);
        Assert.True(evidence.JustConfirmed);
    }
}
