using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Reliability.Infrastructure.Webhooks;

/// <summary>
/// Seals subscriptions' signing secrets with <see cref="WebhookOptions.SecretKey"/> before they are
/// stored, and opens them to sign a delivery. Signing needs the secret itself, so it cannot be hashed
/// as an API key is; sealed, a copy of the database alone cannot forge a delivery.
/// </summary>
public sealed class WebhookSecrets
{
    private const string Prefix = "sealed:v1:";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[]? _key;
    private readonly byte[][] _previousKeys = [];

    public WebhookSecrets(IOptions<WebhookOptions> options)
    {
        _previousKeys = [.. (options.Value.PreviousSecretKeys ?? []).Where(k => !string.IsNullOrWhiteSpace(k))
            .Select(k => TryKey(k) ?? throw new OptionsValidationException(WebhookOptions.Section, typeof(WebhookOptions), [KeyRule]))];
        if (string.IsNullOrWhiteSpace(options.Value.SecretKey))
        {
            return;
        }

        _key = TryKey(options.Value.SecretKey)
            ?? throw new OptionsValidationException(WebhookOptions.Section, typeof(WebhookOptions), [KeyRule]);
    }

    public const string KeyRule = "Reliability:Webhooks:SecretKey and each of PreviousSecretKeys must be 32 bytes in base64 (e.g. `openssl rand -base64 32`).";

    /// <summary>Whether a configured key reads as a 256-bit key.</summary>
    public static bool IsValidKey(string? key) => string.IsNullOrWhiteSpace(key) || TryKey(key) is not null;

    /// <summary>
    /// Whether the subscription's secret should be sealed again: stored in the clear, or sealed with a
    /// previous key, while there is a current key. One sealed with an unknown key is left as it is (it
    /// cannot be opened to seal again).
    /// </summary>
    public bool NeedsSealingAgain(WebhookSubscription subscription) =>
        _key is not null && (!IsSealed(subscription.Secret) || (TryOpen(subscription, _key) is null && OpenWithPrevious(subscription) is not null));

    /// <summary>The form a subscription's secret is stored in. The subscription's id is bound in: a sealed secret copied to another subscription does not open.</summary>
    public string Seal(string subscriptionId, string secret)
    {
        if (_key is null)
        {
            return secret;
        }

        var plain = Encoding.UTF8.GetBytes(secret);
        var sealedBytes = new byte[NonceSize + TagSize + plain.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), Encoding.UTF8.GetBytes(subscriptionId));
        return Prefix + Convert.ToBase64String(sealedBytes);
    }

    /// <summary>
    /// The secret that signs the subscription's deliveries. Throws <see cref="CryptographicException"/>
    /// when it was sealed with another key, or there is no key to open it with.
    /// </summary>
    public string Open(WebhookSubscription subscription)
    {
        if (!IsSealed(subscription.Secret))
        {
            // Stored before a key was configured.
            return subscription.Secret;
        }

        if (_key is null && _previousKeys.Length == 0)
        {
            throw new CryptographicException("The subscription's secret is sealed, and Reliability:Webhooks:SecretKey is not set.");
        }

        return (_key is null ? null : TryOpen(subscription, _key)) ?? OpenWithPrevious(subscription)
            ?? throw new CryptographicException("The subscription's secret was sealed with another Reliability:Webhooks:SecretKey.");
    }

    private static bool IsSealed(string secret) => secret.StartsWith(Prefix, StringComparison.Ordinal);

    private string? OpenWithPrevious(WebhookSubscription subscription) =>
        _previousKeys.Select(key => TryOpen(subscription, key)).FirstOrDefault(plain => plain is not null);

    /// <summary>The secret, or null when this key did not seal it (AES-GCM's tag tells).</summary>
    private static string? TryOpen(WebhookSubscription subscription, byte[] key)
    {
        var encoded = subscription.Secret[Prefix.Length..];
        var sealedBytes = new byte[encoded.Length];
        if (!Convert.TryFromBase64String(encoded, sealedBytes, out var length) || length < NonceSize + TagSize)
        {
            return null;
        }

        sealedBytes = sealedBytes[..length];

        var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        try
        {
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), plain,
                Encoding.UTF8.GetBytes(subscription.Id));
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }

        return Encoding.UTF8.GetString(plain);
    }

    private static byte[]? TryKey(string key)
    {
        var bytes = new byte[32];
        return Convert.TryFromBase64String(key.Trim(), bytes, out var written) && written == 32 ? bytes : null;
    }
}
