namespace Reliability.Infrastructure.Watching;

/// <summary>
/// Any web page: 2xx live, 404/410 gone, 451 withheld. Everything else (401/403 bot walls
/// included) is no answer, since many sites refuse crawlers for posts that are still there; so is a
/// redirect away from the post's own address (<see cref="PostAddress.IsSamePost"/>).
/// </summary>
public sealed class GenericHttpAdapter(ResilientFetcher fetcher, TimeProvider clock) : IPostStatusAdapter
{
    public string Name => "http";

    public bool CanHandle(Uri url) => url.Scheme is "http" or "https";

    public async Task<PostCheck> CheckAsync(Uri url, CancellationToken cancellationToken)
    {
        var outcome = await fetcher.GetAsync(url, cancellationToken);
        return PostChecks.From(url, Name, outcome, clock.GetUtcNow(), Read);
    }

    private static PostVerdict? Read(int status) => status switch
    {
        >= 200 and < 300 => PostVerdict.Live,
        404 or 410 => PostVerdict.Gone,
        451 => PostVerdict.Withheld,
        _ => null,
    };
}
