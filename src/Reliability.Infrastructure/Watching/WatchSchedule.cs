using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Reliability.Infrastructure.Watching;

/// <summary>A claim as the schedule sees it.</summary>
public sealed record WatchedClaim(string ClaimId, DateTimeOffset RecordedAt, bool RecentlyCited = false);

/// <summary>
/// When to check a claim's URL next: recent or cited claims every <see cref="WatcherOptions.CheckInterval"/>,
/// old uncited ones every <see cref="WatcherOptions.OldClaimCheckInterval"/>. Each claim gets a fixed
/// offset derived from its id, so a backlog imported at once (or overdue after downtime) is spread
/// over a window instead of hitting the platforms in one burst, and the same claim always gets the
/// same answer for the same inputs.
/// </summary>
public sealed class WatchSchedule(IOptions<WatcherOptions> options)
{
    public DateTimeOffset NextCheck(WatchedClaim claim, DateTimeOffset? lastCheckedAt, DateTimeOffset now)
    {
        var o = options.Value;
        var interval = IntervalFor(claim, now);
        var spread = Jitter(claim.ClaimId) * o.ScheduleJitter;
        var due = lastCheckedAt is { } last
            ? last + interval + (interval * spread)
            : claim.RecordedAt + o.FirstCheckDelay + (o.FirstCheckDelay * spread);
        // Overdue checks are spread over the jitter window from now, not all run now.
        return due >= now ? due : now + (interval * spread);
    }

    public TimeSpan IntervalFor(WatchedClaim claim, DateTimeOffset now)
    {
        var o = options.Value;
        var old = now - claim.RecordedAt >= o.OldClaimAge;
        return old && !claim.RecentlyCited ? o.OldClaimCheckInterval : o.CheckInterval;
    }

    /// <summary>A number in [0, 1) fixed by the claim id (SHA-256, so unrelated to string hash seeds).</summary>
    public static double Jitter(string claimId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(claimId), hash);
        return (BinaryPrimitives.ReadUInt64LittleEndian(hash) >> 11) / (double)(1UL << 53);
    }
}
