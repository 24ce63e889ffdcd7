using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Reliability.Infrastructure.Webhooks;
using Reliability.Testing;

namespace Reliability.Infrastructure.Tests.Webhooks;

public sealed class WebhookSecretsTests
{
    private const string Secret = "whsec_receiver_secret";
    private static readonly string Key = Convert.ToBase64String([.. Enumerable.Range(1, 32).Select(i => (byte)i)]);
    private static readonly string OtherKey = Convert.ToBase64String([.. Enumerable.Range(101, 32).Select(i => (byte)i)]);
    private static readonly WebhookEvent Deleted = new("claim.deleted", new { claimId = "c-1" }) { SourceId = "src-1" };

    [Fact]
    public async Task With_a_key_the_secret_is_stored_sealed_and_still_signs_every_delivery()
    {
        await using var receiver = await FakeReceiver.StartAsync(_ => 200);
        await using var services = await WebhookHost.CreateAsync(settings: new Dictionary<string, string?> { ["Reliability:Webhooks:SecretKey"] = Key });
        var created = await services.GetRequiredService<WebhookSubscriptionStore>().CreateAsync(new(receiver.Url.ToString()) { Secret = Secret });

        // Shown once as given; stored sealed, with nothing of it in the clear.
        Assert.Equal(Secret, created.Secret);
        var stored = (await StoredAsync(services, created.Id))!;
        Assert.StartsWith("sealed:v1:", stored.Secret, StringComparison.Ordinal);
        Assert.DoesNotContain("receiver_secret", stored.Secret, StringComparison.Ordinal);

        var dispatcher = services.GetRequiredService<WebhookDispatcher>();
        var delivered = await dispatcher.DeliverAsync(Assert.Single(await dispatcher.EnqueueAsync(Deleted)).Id);
        Assert.Equal(DeliveryState.Delivered, delivered!.State);
        var accepted = Assert.Single(receiver.Accepted);
        Assert.True(WebhookSignature.Verify(accepted.Signature, accepted.Body, Secret, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task A_secret_sealed_with_another_key_fails_its_tries_with_the_reason_while_one_stored_before_the_key_still_signs()
    {
        await using var sealedElsewhere = await FakeReceiver.StartAsync(_ => 200);
        await using var storedPlain = await FakeReceiver.StartAsync(_ => 200);
        await using var services = await WebhookHost.CreateAsync(maxAttempts: 2, settings: new Dictionary<string, string?> { ["Reliability:Webhooks:SecretKey"] = Key });
        var other = new WebhookSecrets(Options.Create(new WebhookOptions { SecretKey = OtherKey }));
        await using (var session = services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            session.Insert(new WebhookSubscription { Id = "sealed-elsewhere", TargetUrl = sealedElsewhere.Url.ToString(), Secret = other.Seal("sealed-elsewhere", Secret), CreatedAt = DateTimeOffset.UtcNow });
            session.Insert(new WebhookSubscription { Id = "stored-plain", TargetUrl = storedPlain.Url.ToString(), Secret = Secret, CreatedAt = DateTimeOffset.UtcNow });
            await session.SaveChangesAsync();
        }

        var dispatcher = services.GetRequiredService<WebhookDispatcher>();
        var deliveries = await dispatcher.EnqueueAsync(Deleted);
        var outcomes = new Dictionary<string, WebhookDelivery>();
        foreach (var delivery in deliveries)
        {
            outcomes[delivery.SubscriptionId] = (await dispatcher.DeliverAsync(delivery.Id))!;
        }

        Assert.Equal(DeliveryState.Dead, outcomes["sealed-elsewhere"].State);
        Assert.Contains("another Reliability:Webhooks:SecretKey", outcomes["sealed-elsewhere"].LastError, StringComparison.Ordinal);
        Assert.Equal(0, sealedElsewhere.Requests);

        Assert.Equal(DeliveryState.Delivered, outcomes["stored-plain"].State);
        var accepted = Assert.Single(storedPlain.Accepted);
        Assert.True(WebhookSignature.Verify(accepted.Signature, accepted.Body, Secret, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void A_sealed_secret_opens_only_for_its_own_subscription_and_key()
    {
        var secrets = new WebhookSecrets(Options.Create(new WebhookOptions { SecretKey = Key }));
        var sealedSecret = secrets.Seal("sub-1", Secret);
        Assert.NotEqual(sealedSecret, secrets.Seal("sub-1", Secret));
        Assert.Equal(Secret, secrets.Open(Subscription("sub-1", sealedSecret)));
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => secrets.Open(Subscription("sub-2", sealedSecret)));
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(
            () => new WebhookSecrets(Options.Create(new WebhookOptions())).Open(Subscription("sub-1", sealedSecret)));

        Assert.Throws<OptionsValidationException>(() => new WebhookSecrets(Options.Create(new WebhookOptions { SecretKey = "dG9vIHNob3J0" })));
        Assert.False(WebhookSecrets.IsValidKey("not base64 at all"));
        Assert.True(WebhookSecrets.IsValidKey(""));
    }

    [Fact]
    public async Task A_rotated_key_still_opens_what_it_sealed_until_every_secret_is_sealed_again_with_the_new_one()
    {
        await using var receiver = await FakeReceiver.StartAsync(_ => 200);
        var old = new WebhookSecrets(Options.Create(new WebhookOptions { SecretKey = OtherKey }));
        var unknown = new WebhookSecrets(Options.Create(new WebhookOptions { SecretKey = Convert.ToBase64String(new byte[32]) }));
        await using var services = await WebhookHost.CreateAsync(settings: new Dictionary<string, string?>
        {
            ["Reliability:Webhooks:SecretKey"] = Key,
            ["Reliability:Webhooks:PreviousSecretKeys:0"] = OtherKey,
        });
        await using (var session = services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            session.Insert(new WebhookSubscription { Id = "rotated", TargetUrl = receiver.Url.ToString(), Secret = old.Seal("rotated", Secret), CreatedAt = DateTimeOffset.UtcNow });
            session.Insert(new WebhookSubscription { Id = "in-the-clear", TargetUrl = "https://receiver.example.org/a", Secret = Secret, CreatedAt = DateTimeOffset.UtcNow });
            session.Insert(new WebhookSubscription { Id = "unknown-key", TargetUrl = "https://receiver.example.org/b", Secret = unknown.Seal("unknown-key", Secret), CreatedAt = DateTimeOffset.UtcNow });
            await session.SaveChangesAsync();
        }

        // The previous key still signs what it sealed.
        var dispatcher = services.GetRequiredService<WebhookDispatcher>();
        var delivery = Assert.Single(await dispatcher.EnqueueAsync(Deleted), d => d.SubscriptionId == "rotated");
        Assert.Equal(DeliveryState.Delivered, (await dispatcher.DeliverAsync(delivery.Id))!.State);
        Assert.True(WebhookSignature.Verify(Assert.Single(receiver.Accepted).Signature, receiver.Accepted.Single().Body, Secret, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));

        // Sealed again, what the previous key sealed and what was in the clear open with the new key alone.
        var store = services.GetRequiredService<WebhookSubscriptionStore>();
        var unknownBefore = (await StoredAsync(services, "unknown-key"))!.Secret;
        Assert.Equal(2, await store.SealAgainAsync());
        var current = new WebhookSecrets(Options.Create(new WebhookOptions { SecretKey = Key }));
        foreach (var id in new[] { "rotated", "in-the-clear" })
        {
            var stored = (await StoredAsync(services, id))!;
            Assert.StartsWith("sealed:v1:", stored.Secret, StringComparison.Ordinal);
            Assert.Equal(Secret, current.Open(stored));
        }

        // A secret no configured key opens is left as it is, and nothing is left to do.
        Assert.Equal(unknownBefore, (await StoredAsync(services, "unknown-key"))!.Secret);
        Assert.Equal(0, await store.SealAgainAsync());
    }

    [Fact]
    public async Task Sealing_again_never_brings_back_a_subscription_deleted_meanwhile()
    {
        await using var services = await WebhookHost.CreateAsync(settings: new Dictionary<string, string?> { ["Reliability:Webhooks:SecretKey"] = Key });
        var store = services.GetRequiredService<WebhookSubscriptionStore>();
        var read = new WebhookSubscription { Id = "deleted-meanwhile", TargetUrl = "https://receiver.example.org/c", Secret = Secret, CreatedAt = DateTimeOffset.UtcNow };
        await using (var session = services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            session.Insert(read);
            await session.SaveChangesAsync();
        }

        Assert.True(await store.DeleteAsync(read.Id));
        Assert.False(await store.SealAgainAsync(read, CancellationToken.None));
        Assert.Null(await StoredAsync(services, read.Id));
    }

    private static WebhookSubscription Subscription(string id, string secret) =>
        new() { Id = id, TargetUrl = "https://receiver.example.org/hook", Secret = secret, CreatedAt = DateTimeOffset.UtcNow };

    private static async Task<WebhookSubscription?> StoredAsync(ServiceProvider services, string id)
    {
        await using var session = services.GetRequiredService<IDocumentStore>().QuerySession();
        return await session.LoadAsync<WebhookSubscription>(id);
    }
}
