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
/// <remarks>
/// Each key is dropped through its change signal, kept only while something holds it: a cached copy
/// of the key, or an event stream opened with it. So the signals kept are bounded by the keys cached
/// and streamed, not by every key ever looked up. A signal is disposed only once nothing holds it, or
/// once it is cancelled: disposed under a cached copy, it would never end that copy when the key
/// changes.
/// </remarks>
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
    private readonly Dictionary<string, ChangeSignal> _changes = new(StringComparer.Ordinal);

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
                if (key is null)
                {
                    // Unknown secrets share one signal: probing random keys keeps nothing per secret.
                    entry.AddExpirationToken(new CancellationChangeToken(_unknownChanges.Token));
                }
                else
                {
                    // The copy holds its key's signal until the cache lets it go, however it goes
                    // (expired, dropped on a change, replaced, compacted).
                    var signal = Hold(key.Id);
                    entry.AddExpirationToken(new CancellationChangeToken(signal.Token));
                    entry.RegisterPostEvictionCallback((_, _, _, _) => LetGo(key.Id, signal));
                }

                cache.Set(cacheKey, key, entry);
            }
        }

        return key;
    }

    /// <summary>
    /// A hold on the change signal of the key with this id, for an event stream: cancelled once the
    /// key changes (revoked, given another secret) or once this node may have missed a change, so the
    /// stream checks its key again at once. Dispose it when the stream ends.
    /// </summary>
    public ChangeWatch WatchChanges(string keyId) => new(this, keyId);

    /// <summary>How many keys' change signals this node keeps: one per key cached or streamed.</summary>
    internal int KeptChangeSignals
    {
        get
        {
            lock (_gate)
            {
                return _changes.Count;
            }
        }
    }

    /// <summary>Drops what this node kept of the key with this id.</summary>
    public void Forget(string keyId)
    {
        ChangeSignal? changed;
        CancellationTokenSource unknown;
        lock (_gate)
        {
            _changeCount++;
            _changes.Remove(keyId, out changed);
            (unknown, _unknownChanges) = (_unknownChanges, new CancellationTokenSource());
        }

        // Outside the lock: cancelling runs the cache's and the streams' callbacks.
        changed?.End();
        End(unknown);
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
        ChangeSignal[] changed;
        CancellationTokenSource unknown;
        lock (_gate)
        {
            _changeCount++;
            changed = [.. _changes.Values];
            _changes.Clear();
            (unknown, _unknownChanges) = (_unknownChanges, new CancellationTokenSource());
        }

        foreach (var signal in changed)
        {
            signal.End();
        }

        End(unknown);
    }

    // A cancelled source may be disposed at once: its token still reads as cancelled, and whatever
    // registers on it later is called at once.
    private static void End(CancellationTokenSource source)
    {
        source.Cancel();
        source.Dispose();
    }

    private ChangeSignal Hold(string keyId)
    {
        lock (_gate)
        {
            if (!_changes.TryGetValue(keyId, out var signal))
            {
                signal = new ChangeSignal();
                _changes.Add(keyId, signal);
            }

            signal.Holders++;
            return signal;
        }
    }

    private void LetGo(string keyId, ChangeSignal signal)
    {
        lock (_gate)
        {
            signal.Holders--;
            // A signal a change already took out of the table was ended by that change; one still in
            // it and held by nothing has no one left to tell.
            if (signal.Holders == 0 && _changes.TryGetValue(keyId, out var kept) && kept == signal)
            {
                _changes.Remove(keyId);
                signal.Dispose();
            }
        }
    }

    private static string CacheKey(string hash) => "api-key:" + hash;

    /// <summary>One key's change signal and how many hold it.</summary>
    private sealed class ChangeSignal : IDisposable
    {
        private readonly CancellationTokenSource _source = new();

        public ChangeSignal() => Token = _source.Token;

        // Taken once: a disposed source no longer hands out its token.
        public CancellationToken Token { get; }

        public int Holders { get; set; }

        public void End() => ApiKeyResolver.End(_source);

        public void Dispose() => _source.Dispose();
    }

    /// <summary>An event stream's hold on its key's change signal (<see cref="WatchChanges"/>).</summary>
    public sealed class ChangeWatch : IDisposable
    {
        private readonly ApiKeyResolver _keys;
        private readonly string _keyId;
        private ChangeSignal? _signal;

        internal ChangeWatch(ApiKeyResolver keys, string keyId) => (_keys, _keyId, _signal) = (keys, keyId, keys.Hold(keyId));

        /// <summary>Cancelled once the key changed since this watch was taken or last renewed.</summary>
        public CancellationToken Changed => (_signal ?? throw new ObjectDisposedException(nameof(ChangeWatch))).Token;

        /// <summary>Watches the key's current signal from now on: the one watched so far may be spent.</summary>
        public void Renew()
        {
            // Held before the old one is let go: were they the same, it would be disposed in between.
            var next = _keys.Hold(_keyId);
            Dispose();
            _signal = next;
        }

        public void Dispose()
        {
            if (_signal is { } signal)
            {
                _signal = null;
                _keys.LetGo(_keyId, signal);
            }
        }
    }
}
