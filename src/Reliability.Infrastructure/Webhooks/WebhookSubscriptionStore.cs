using System.Security.Cryptography;
using Marten;
using Reliability.Infrastructure.Watching;

namespace Reliability.Infrastructure.Webhooks;

/// <summary>Webhook subscriptions as Marten documents.</summary>
public sealed class WebhookSubscriptionStore(IDocumentStore store, GuardedHttpClient guard, WebhookSecrets secrets, TimeProvider clock)
{
    /// <summary>
    /// Creates a subscription, and returns it with its secret to show once; the secret is stored sealed
    /// (<see cref="WebhookSecrets"/>). Throws <see cref="ArgumentException"/> for a target that is not an
    /// absolute http(s) URL or is a literal address the outbound rule refuses; names are checked
    /// again, after DNS, at every send.
    /// </summary>
    public async Task<WebhookSubscription> CreateAsync(NewWebhookSubscription request, CancellationToken cancellationToken = default)
    {
        if (!Uri.TryCreate(request.TargetUrl, UriKind.Absolute, out var target))
        {
            throw new ArgumentException($"Not an absolute URL: {request.TargetUrl}", nameof(request));
        }

        try
        {
            guard.EnsureAllowedUrl(target);
        }
        catch (FetchRefusedException e)
        {
            throw new ArgumentException(e.Message, nameof(request), e);
        }

        var id = Guid.NewGuid().ToString("N");
        var secret = string.IsNullOrEmpty(request.Secret) ? NewSecret() : request.Secret;
        var subscription = new WebhookSubscription
        {
            Id = id,
            TargetUrl = target.ToString(),
            Secret = secrets.Seal(id, secret),
            SourceIds = request.SourceIds,
            ArticleIds = request.ArticleIds,
            EventKinds = request.EventKinds,
            CreatedAt = clock.GetUtcNow(),
        };
        await using var session = store.LightweightSession();
        session.Insert(subscription);
        await session.SaveChangesAsync(cancellationToken);
        return subscription with { Secret = secret };
    }

    public async Task<IReadOnlyList<WebhookSubscription>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var session = store.QuerySession();
        return [.. await session.Query<WebhookSubscription>().OrderBy(s => s.CreatedAt).ToListAsync(cancellationToken)];
    }

    public async Task<WebhookSubscription?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<WebhookSubscription>(id, cancellationToken);
    }

    /// <summary>Deletes a subscription; false when there was none. Its pending deliveries die at their next try.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var session = store.LightweightSession();
        if (await session.LoadAsync<WebhookSubscription>(id, cancellationToken) is null)
        {
            return false;
        }

        session.Delete<WebhookSubscription>(id);
        await session.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Seals again, with the current key, every secret stored in the clear or sealed with a previous
    /// key (see <see cref="WebhookOptions.PreviousSecretKeys"/>); returns how many. Safe on several
    /// nodes at once: each writes a seal of the same secret. A subscription deleted meanwhile stays
    /// deleted: the secret is written by an update, which never inserts.
    /// </summary>
    public async Task<int> SealAgainAsync(CancellationToken cancellationToken = default)
    {
        var sealedAgain = 0;
        foreach (var subscription in (await ListAsync(cancellationToken)).Where(secrets.NeedsSealingAgain))
        {
            sealedAgain += await SealAgainAsync(subscription, cancellationToken) ? 1 : 0;
        }

        return sealedAgain;
    }

    /// <summary>Seals one subscription's secret again, as read earlier; false when it is gone.</summary>
    public async Task<bool> SealAgainAsync(WebhookSubscription subscription, CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        session.Update(subscription with { Secret = secrets.Seal(subscription.Id, secrets.Open(subscription)) });
        try
        {
            await session.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (Marten.Exceptions.NonExistentDocumentException)
        {
            return false;
        }
    }

    private static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
