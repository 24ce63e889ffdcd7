namespace Reliability.Grains;

/// <summary>How the record's grains keep up with their streams.</summary>
public sealed class RecordOptions
{
    /// <summary>
    /// A source grain stores a snapshot of its stream after this many new events (and when it is
    /// deactivated), so activating a source with a long history reads one document and the tail.
    /// </summary>
    public int SnapshotInterval { get; set; } = 500;

    /// <summary>
    /// How often each silo compares the stream versions its active source and proposition grains
    /// hold with the stored ones, and has those behind read their streams: a writer that died after
    /// committing never told them, and they must not stay stale until they are deactivated.
    /// </summary>
    public TimeSpan CatchUpInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many claim transactions may be in flight at once. Batches that arrive meanwhile wait and
    /// are then committed together (group commit), so more writers mean less waiting but smaller groups.
    /// </summary>
    public int ClaimWriters { get; set; } = 2;

    /// <summary>
    /// How often the truth grain reads the whole record again, even when nothing tells it of a change:
    /// a change whose writer died between its commit and its notice is missing from the estimate until then.
    /// </summary>
    public TimeSpan TruthFullReadInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The most claims one group commit takes (a single larger batch still goes alone).</summary>
    public int MaxClaimsPerCommit { get; set; } = 2_000;
}
