using Reliability.Domain.Model;

namespace Reliability.Domain.Scoring;

/// <summary>
/// Publication time, then id: the order contributions are listed and totals summed in, whatever order events arrived in,
/// so that the same history always gives the same bits.
/// </summary>
internal sealed class ClaimOrder : IComparer<Claim>
{
    public static ClaimOrder Instance { get; } = new();

    public int Compare(Claim? x, Claim? y) =>
        x is null || y is null
            ? Comparer<Claim?>.Default.Compare(x, y)
            : x.PublishedAt.CompareTo(y.PublishedAt) is var byTime and not 0
                ? byTime
                : string.CompareOrdinal(x.Id, y.Id);
}
