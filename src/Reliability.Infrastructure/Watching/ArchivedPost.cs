using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace Reliability.Infrastructure.Watching;

/// <summary>A claim's text as it was at ingestion, kept so the record outlives the post. Id = claim id.</summary>
public sealed record ArchivedPost
{
    public required string Id { get; init; }
    public required string Url { get; init; }
    public required string Text { get; init; }

    /// <summary>SHA-256 of the UTF-8 text, lowercase hex: shows the archived text was not altered later.</summary>
    public required string ContentHash { get; init; }

    public required DateTimeOffset ArchivedAt { get; init; }

    public static string HashOf(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>
    /// Worked out when asked, never stored: a stored flag would vouch for the text whatever became of
    /// it, and would hash every text each time the document is written.
    /// </summary>
    [JsonIgnore]
    public bool IsIntact => ContentHash == HashOf(Text);
}
