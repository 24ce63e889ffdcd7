namespace Reliability.Infrastructure.Security;

/// <summary>
/// A stored API key. Only a hash of the secret is kept: the secret is shown once, when created.
/// </summary>
public sealed record ApiKey
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required ApiKeyRole Role { get; init; }

    /// <summary>SHA-256 of the secret, hex. Secrets are 256 random bits, so a fast hash is enough.</summary>
    public required string SecretHash { get; init; }

    /// <summary>The secret's first characters, so people can tell their keys apart in a list.</summary>
    public required string Prefix { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }

    public bool IsActive => RevokedAt is null;
}
