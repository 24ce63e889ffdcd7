namespace Reliability.Domain.Model;

public sealed record SourceHandle(string Platform, string Handle);

/// <remarks>InterestedParty: The source is a party to the events it reports (an army, an armed group).</remarks>
public sealed record Source(
    string Id,
    string Name,
    SourceKind Kind,
    bool InterestedParty,
    IReadOnlyList<SourceHandle> Handles);
