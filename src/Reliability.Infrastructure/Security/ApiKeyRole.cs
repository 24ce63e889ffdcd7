namespace Reliability.Infrastructure.Security;

/// <summary>What a key may do; each role includes every role before it.</summary>
public enum ApiKeyRole
{
    /// <summary>Queries and page lookups (the newsroom plugin).</summary>
    Reader = 1,

    /// <summary>Also records claims, corrections and article citations.</summary>
    Contributor = 2,

    /// <summary>Also resolves propositions and imports fact-checks.</summary>
    Editor = 3,

    /// <summary>Also manages keys and scoring policy.</summary>
    Admin = 4,
}
