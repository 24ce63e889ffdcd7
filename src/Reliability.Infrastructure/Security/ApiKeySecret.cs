using System.Security.Cryptography;
using System.Text;

namespace Reliability.Infrastructure.Security;

public static class ApiKeySecret
{
    private const string Marker = "rk_";

    /// <summary>A new secret: a recognisable marker and 256 random bits, URL-safe.</summary>
    public static string Generate() =>
        Marker + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static string PrefixOf(string secret) => secret.Length <= 10 ? secret : secret[..10];
}
