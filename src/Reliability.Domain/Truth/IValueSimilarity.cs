namespace Reliability.Domain.Truth;

/// <summary>
/// How far a claim of one value also supports another value of the same object being true
/// (TruthFinder's implication): a bookshop listing only the first author partly supports the full list.
/// </summary>
public interface IValueSimilarity
{
    /// <returns>In [0, 1]; 0 when the claim says nothing for the candidate. Need not be symmetric.</returns>
    double Support(string candidate, string claimed);
}
