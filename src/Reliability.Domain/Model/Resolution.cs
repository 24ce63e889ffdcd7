namespace Reliability.Domain.Model;

/// <summary>
/// One revision of an editor's verdict on a proposition. Revisions are kept; the highest revision
/// known at a time is the one in force then.
/// </summary>
/// <remarks>ConfirmedOption: The option confirmed; null when the verdict is unresolvable.</remarks>
public sealed record Resolution(
    string PropositionId,
    int Revision,
    Verdict Verdict,
    string? ConfirmedOption,
    IReadOnlyList<string> EvidenceUrls,
    string Editor,
    string? Note,
    DateTimeOffset At);
