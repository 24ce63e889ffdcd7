using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;

namespace Reliability.Infrastructure.Watching;

/// <summary>Either a final response or the reason there is none; adapters turn either into a verdict.</summary>
public sealed record FetchOutcome(FetchResult? Result, UnknownReason Failure, string? Detail);

/// <summary>
/// Guarded HTTP through the site's pipeline, with every failure turned into a reason. Redirects are
/// followed only while they stay on the address asked for (<see cref="PostAddress.IsSamePost"/>):
/// elsewhere the answer would not be about that address, and would be asked of a host whose rate
/// limit and circuit the check does not go through.
/// </summary>
public sealed class ResilientFetcher(GuardedHttpClient http, HostPipelines pipelines)
{
    public async Task<FetchOutcome> GetAsync(Uri url, CancellationToken cancellationToken)
    {
        try
        {
            http.EnsureAllowedUrl(url);
            var request = FetchRequest.Get(url) with { FollowOnlyTo = target => PostAddress.IsSamePost(url, target) };
            var result = await pipelines.For(url).ExecuteAsync(
                static async (state, token) => await state.http.SendAsync(state.request, token),
                (http, request),
                cancellationToken);
            return new FetchOutcome(result, UnknownReason.None, null);
        }
        catch (FetchRefusedException e)
        {
            return new FetchOutcome(null, UnknownReason.Refused, e.Message);
        }
        catch (BrokenCircuitException e)
        {
            return new FetchOutcome(null, UnknownReason.CircuitOpen, e.Message);
        }
        catch (RateLimiterRejectedException e)
        {
            return new FetchOutcome(null, UnknownReason.RateLimited, e.Message);
        }
        catch (TimeoutRejectedException e)
        {
            return new FetchOutcome(null, UnknownReason.Timeout, e.Message);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return new FetchOutcome(null, UnknownReason.NetworkError, e.Message);
        }
    }
}
