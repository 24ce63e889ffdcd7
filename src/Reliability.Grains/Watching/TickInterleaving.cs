namespace Reliability.Grains.Watching;

/// <summary>
/// The gap between a deletion-watch tick's read of the due claims and its lease: where tests put a
/// correction, a citation or a merge the tick cannot see.
/// </summary>
public sealed class TickInterleaving : Interleaving;
