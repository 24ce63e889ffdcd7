using Marten;

namespace Reliability.Infrastructure.Security;

/// <summary>API keys as Marten documents.</summary>
public sealed class ApiKeyStore(IDocumentStore store, TimeProvider clock)
{
    public const string BootstrapKeyName = "bootstrap admin (configuration)";

    /// <summary>
    /// The PostgreSQL channel every change to a key is announced on, with the key's id as payload.
    /// The notice is sent by the transaction that makes the change, so it goes out exactly when the
    /// change is committed, from the service and from the command line alike: each node drops its
    /// cached copy of the key, and ends the key's event streams if the key no longer allows them.
    /// </summary>
    public const string ChangeChannel = "reliability_api_keys";

    /// <summary>Creates a key and returns it with its secret, which is not stored and cannot be shown again.</summary>
    public async Task<(ApiKey Key, string Secret)> CreateAsync(string name, ApiKeyRole role, CancellationToken cancellationToken = default)
    {
        var secret = ApiKeySecret.Generate();
        var key = await SaveAsync(name, role, secret, cancellationToken);
        return (key, secret);
    }

    /// <summary>Gives the key with this id a new secret (creating the key if needed) and returns the secret.</summary>
    public async Task<string> ReplaceAsync(string id, string name, ApiKeyRole role, CancellationToken cancellationToken = default)
    {
        var secret = ApiKeySecret.Generate();
        await SaveAsync(name, role, secret, cancellationToken, id);
        return secret;
    }

    /// <summary>
    /// Makes sure the configured bootstrap secret works as an admin key, without storing the secret.
    /// Idempotent: restarts and several silos with the same configuration add it once.
    /// </summary>
    public async Task EnsureBootstrapKeyAsync(string secret, CancellationToken cancellationToken = default)
    {
        var hash = ApiKeySecret.Hash(secret);
        await using var session = store.QuerySession();
        var existing = await session.Query<ApiKey>().AnyAsync(k => k.SecretHash == hash, cancellationToken);
        if (!existing)
        {
            await SaveAsync(BootstrapKeyName, ApiKeyRole.Admin, secret, cancellationToken, id: "bootstrap-" + hash[..12]);
        }
    }

    public async Task<ApiKey?> FindActiveBySecretAsync(string secret, CancellationToken cancellationToken = default)
    {
        var hash = ApiKeySecret.Hash(secret);
        await using var session = store.QuerySession();
        return await session.Query<ApiKey>()
            .Where(k => k.SecretHash == hash && k.RevokedAt == null)
            .FirstOrDefaultAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ApiKey>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var session = store.QuerySession();
        var keys = await session.Query<ApiKey>().OrderBy(k => k.CreatedAt).ToListAsync(cancellationToken);
        return [.. keys];
    }

    /// <summary>Revokes a key and returns it; null when no such key exists. Revoking twice keeps the first time.</summary>
    public async Task<ApiKey?> RevokeAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var session = store.LightweightSession();
        var key = await session.LoadAsync<ApiKey>(id, cancellationToken);
        if (key is null || !key.IsActive)
        {
            return key;
        }

        var revoked = key with { RevokedAt = clock.GetUtcNow() };
        session.Store(revoked);
        AnnounceChange(session, revoked.Id);
        await session.SaveChangesAsync(cancellationToken);
        return revoked;
    }

    private async Task<ApiKey> SaveAsync(string name, ApiKeyRole role, string secret, CancellationToken cancellationToken, string? id = null)
    {
        var key = new ApiKey
        {
            Id = id ?? Guid.NewGuid().ToString("N"),
            Name = name,
            Role = role,
            SecretHash = ApiKeySecret.Hash(secret),
            Prefix = ApiKeySecret.PrefixOf(secret),
            CreatedAt = clock.GetUtcNow(),
        };
        await using var session = store.LightweightSession();
        session.Store(key);
        // A new secret for an existing id (the demo key) must end the old secret's cached copies;
        // a new key ends any node's short memory of its secret as unknown.
        AnnounceChange(session, key.Id);
        await session.SaveChangesAsync(cancellationToken);
        return key;
    }

    // pg_notify in the session's own transaction: delivered on commit, never for a rolled-back change.
    private static void AnnounceChange(IDocumentSession session, string keyId) =>
        session.QueueSqlCommand("select pg_notify(?, ?)", ChangeChannel, keyId);
}
