using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Reliability.Infrastructure.Webhooks;

/// <summary>
/// <c>Reliability-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "t.body"&gt;</c>. The
/// timestamp is signed so a captured request cannot be replayed later than the receiver's tolerance.
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "Reliability-Signature";
    public const string DeliveryIdHeader = "Reliability-Delivery-Id";
    public const string EventHeader = "Reliability-Event";

    public static string Sign(string secret, DateTimeOffset timestamp, string body)
    {
        var t = timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"t={t},v1={Convert.ToHexStringLower(Mac(secret, t, body))}";
    }

    /// <summary>
    /// True when the header carries a v1 signature of the body made with the secret at a time within
    /// <paramref name="tolerance"/> of <paramref name="now"/>. Compares in constant time.
    /// </summary>
    public static bool Verify(string? header, string body, string secret, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrEmpty(header))
        {
            return false;
        }

        string? t = null;
        var signatures = new List<byte[]>();
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = part.IndexOf('=') is var i and > 0 ? (part[..i], part[(i + 1)..]) : (part, "");
            if (key == "t")
            {
                t = value;
            }
            else if (key == "v1" && value.Length == 64 && IsHex(value))
            {
                signatures.Add(Convert.FromHexString(value));
            }
        }

        if (t is null || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }

        if ((now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > tolerance)
        {
            return false;
        }

        var expected = Mac(secret, t, body);
        // Several v1 values let a sender sign with an old and a new secret during rotation.
        return signatures.Aggregate(false, (any, s) => CryptographicOperations.FixedTimeEquals(s, expected) | any);
    }

    private static byte[] Mac(string secret, string t, string body) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(t + "." + body));

    private static bool IsHex(string value) => value.All(char.IsAsciiHexDigit);
}
