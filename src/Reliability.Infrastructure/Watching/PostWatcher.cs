namespace Reliability.Infrastructure.Watching;

/// <summary>
/// Checks one post URL once and returns the verdict. It keeps no state: the caller folds verdicts
/// into <see cref="DeletionEvidence"/> and schedules the next check with <see cref="WatchSchedule"/>.
/// </summary>
public sealed class PostWatcher(IEnumerable<IPostStatusAdapter> adapters, GenericHttpAdapter generic, TimeProvider clock)
{
    private readonly IPostStatusAdapter[] _adapters = [.. adapters];

    public IPostStatusAdapter AdapterFor(Uri url) => _adapters.FirstOrDefault(a => a.CanHandle(url)) ?? generic;

    public Task<PostCheck> CheckAsync(Uri url, CancellationToken cancellationToken = default) =>
        AdapterFor(url).CheckAsync(url, cancellationToken);

    /// <summary>For URLs as stored with claims: one that is not an absolute URL is refused, not thrown.</summary>
    public Task<PostCheck> CheckAsync(string url, CancellationToken cancellationToken = default) =>
        Uri.TryCreate(url, UriKind.Absolute, out var parsed)
            ? CheckAsync(parsed, cancellationToken)
            : Task.FromResult(new PostCheck(new Uri("about:invalid"), generic.Name, PostVerdict.Unknown, clock.GetUtcNow())
            {
                Reason = UnknownReason.Refused,
                Detail = $"Not an absolute URL: {url}",
            });
}
