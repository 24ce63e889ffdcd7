using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Reliability.Infrastructure.Security;

namespace Reliability.Api.Security;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Api-Key: &lt;key&gt;</c> against the
/// stored key hashes. The secret itself is never logged or kept.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyResolver keys,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string RoleClaim = "reliability:role";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var secret = SecretFrom(Request);
        if (secret is null)
        {
            return AuthenticateResult.NoResult();
        }

        var key = await keys.FindActiveAsync(secret, Context.RequestAborted);
        if (key is null)
        {
            return AuthenticateResult.Fail("Unknown or revoked API key.");
        }

        Claim[] claims =
        [
            new(ClaimTypes.NameIdentifier, key.Id),
            new(ClaimTypes.Name, key.Name),
            new(RoleClaim, key.Role.ToString()),
        ];
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        var detail = SecretFrom(Request) is null
            ? "Send an API key as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'."
            : "The API key is unknown or revoked.";
        await WriteProblemAsync("API key required", detail);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await WriteProblemAsync("Role too small", "This API key's role does not allow this operation.");
    }

    private async Task WriteProblemAsync(string title, string detail) =>
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Title = title, Detail = detail, Status = Response.StatusCode },
        });

    internal static string? SecretFrom(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var secret = authorization["Bearer ".Length..].Trim();
            return secret.Length > 0 ? secret : null;
        }

        var header = request.Headers["X-Api-Key"].ToString().Trim();
        return header.Length > 0 ? header : null;
    }
}

/// <summary>
/// Looks keys up with a short cache, so a busy plugin does not cost a database read per request.
/// Every change to a key is announced on <see cref="ApiKeyStore.ChangeChannel"/> and heard by each
/// node (<see cref="ApiKeyNotices"/>), which drops its copy at once: the cache time only bounds how
/// long a change whose notice was lost stays unseen. A node that cannot hear the notices keeps a key
/// only for <see cref="KnownKeyLifetimeUnheard"/>.
/// </summary>
internal sealed class ApiKeyResolver(ApiKeyStore store, IMemoryCache cache)
{
    private static readonly TimeSpan KnownKeyLifetime = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan UnknownKeyLifetime = TimeSpan.FromSeconds(5);

    /// <summary>How long a key is kept while this node hears no changes: a revocation elsewhere is seen this soon.</summary>
    internal static readonly TimeSpan KnownKeyLifetimeUnheard = TimeSpan.FromSeconds(2);

    // Until the listener has proved it hears, nothing is kept longer than a node deaf to changes may keep it.
    private volatile bool _hearing;

    private readonly Lock _gate = new();

    // Cancelled when the key with that id changes: ends its cached copies and wakes its event streams.
    private readonly Dictionary<string, CancellationTokenSource> _changes = new(StringComparer.Ordinal);

    // Cancelled on any change: a secret remembered as unknown may be the one a new key was given.
    private CancellationTokenSource _unknownChanges = new();

    // Counts changes heard, so a lookup that was reading while one arrived keeps nothing.
    private long _changeCount;

    public async Task<ApiKey?> FindActiveAsync(string secret, CancellationToken cancellationToken)
    {
        var cacheKey = CacheKey(ApiKeySecret.Hash(secret));
        if (cache.TryGetValue(cacheKey, out ApiKey? cached))
        {
            return cached;
        }

        var changesBefore = Volatile.Read(ref _changeCount);
        var key = await store.FindActiveBySecretAsync(secret, cancellationToken);
        lock (_gate)
        {
            // The read may have seen the key before a change this node has already been told of:
            // answering with it once is the same as the request having come a moment earlier, but
            // keeping it would undo the notice for the whole cache time.
            if (_changeCount == changesBefore)
            {
                var lifetime = key is null ? UnknownKeyLifetime : KnownKeyLifetime;
                if (!_hearing && lifetime > KnownKeyLifetimeUnheard)
                {
                    lifetime = KnownKeyLifetimeUnheard;
                }

                var entry = new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = lifetime };
                entry.AddExpirationToken(new CancellationChangeToken(key is null ? _unknownChanges.Token : ChangesOf(key.Id).Token));
                cache.Set(cacheKey, key, entry);
            }
        }

        return key;
    }

    /// <summary>
    /// Cancelled once the key with this id changes (revoked, given another secret) or once this node
    /// may have missed a change: an event stream then checks its key again at once.
    /// </summary>
    public CancellationToken ChangeOf(string keyId)
    {
        lock (_gate)
        {
            return ChangesOf(keyId).Token;
        }
    }

    /// <summary>Drops what this node kept of the key with this id.</summary>
    public void Forget(string keyId)
    {
        CancellationTokenSource? changed;
        CancellationTokenSource unknown;
        lock (_gate)
        {
            _changeCount++;
            _changes.Remove(keyId, out changed);
            (unknown, _unknownChanges) = (_unknownChanges, new CancellationTokenSource());
        }

        // Outside the lock: cancelling runs the cache's and the streams' callbacks.
        changed?.Cancel();
        unknown.Cancel();
    }

    /// <summary>This node hears changes again: it drops every key it kept, since it may have missed some meanwhile.</summary>
    public void StartedHearing()
    {
        ForgetAll();
        _hearing = true;
    }

    /// <summary>This node may miss changes from now on: keys are kept only briefly until it hears again.</summary>
    public void StoppedHearing() => _hearing = false;

    /// <summary>Whether this node hears changes to keys (its listener proved it), and keeps keys the full cache time.</summary>
    public bool HearsChanges => _hearing;

    /// <summary>Drops every key this node kept: it may have missed changes (its listening connection was down).</summary>
    private void ForgetAll()
    {
        CancellationTokenSource[] changed;
        CancellationTokenSource unknown;
        lock (_gate)
        {
            _changeCount++;
            changed = [.. _changes.Values];
            _changes.Clear();
            (unknown, _unknownChanges) = (_unknownChanges, new CancellationTokenSource());
        }

        foreach (var source in changed)
        {
            source.Cancel();
        }

        unknown.Cancel();
    }

    private CancellationTokenSource ChangesOf(string keyId)
    {
        if (!_changes.TryGetValue(keyId, out var source))
        {
            source = new CancellationTokenSource();
            _changes.Add(keyId, source);
        }

        return source;
    }

    private static string CacheKey(string hash) => "api-key:" + hash;
}
