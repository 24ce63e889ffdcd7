namespace Reliability.Domain.Model;

public enum SourceKind
{
    OfficialBody,
    ArmedGroup,
    Outlet,
    Agency,
    SocialAccount,
    Person,
    Other,
}

/// <summary>How firmly a claim is made; a hedged claim stakes less of the source's name on it.</summary>
public enum Hedge
{
    Asserted,
    Reported,
    Speculative,
}

public enum CorrectionKind
{
    Deleted,
    Retracted,
    Reversed,
    Amended,
}

/// <summary>
/// How a deletion came to be known. An announced deletion is a public withdrawal; an observed one
/// (the URL stopped resolving) is silent and must never help the source.
/// </summary>
public enum DeletionNotice
{
    Observed,
    Announced,
}

public enum Verdict
{
    Confirmed,
    Unresolvable,
}
