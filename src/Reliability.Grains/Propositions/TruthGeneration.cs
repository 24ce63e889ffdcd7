using Marten;
using Reliability.Grains.Recording;

namespace Reliability.Grains.Propositions;

/// <summary>
/// How many activations of the truth grain have computed an estimate. An estimate's version starts
/// with its activation's generation, so a new activation (after idle collection, a rolling deploy or
/// a silo's death) outranks everything the previous one published: every silo keeps the highest
/// version it has heard of, and a count restarting at one would leave them on the old estimate.
/// </summary>
public sealed class TruthGeneration
{
    public const string Key = "truth";

    private const int Attempts = 5;

    public string Id { get; set; } = Key;

    public long Generation { get; set; }

    /// <summary>The version of an activation's <paramref name="run"/>-th estimate (runs count from 1).</summary>
    public static long VersionOf(long generation, long run) => (generation << 32) | run;

    /// <summary>Takes the next generation for a new activation.</summary>
    public static async Task<long> NextAsync(IDocumentStore store, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            var current = await session.LoadAsync<TruthGeneration>(Key, cancellationToken) ?? new TruthGeneration();
            current.Generation++;
            session.Store(current);
            try
            {
                await session.SaveChangesAsync(cancellationToken);
                return current.Generation;
            }
            catch (Exception exception) when (WriteConflicts.IsConflict(exception) && attempt < Attempts)
            {
                // Two activations at once (a cluster healing a split): each must still get its own generation.
            }
        }
    }
}
