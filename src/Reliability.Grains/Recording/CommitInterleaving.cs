namespace Reliability.Grains.Recording;

/// <summary>
/// The gap after a command is decided and before its commit takes its stream locks: where tests put
/// another commit the command's own decision cannot see (a merge between a claim batch finding its
/// source and committing to it).
/// </summary>
public sealed class CommitInterleaving : Interleaving;
