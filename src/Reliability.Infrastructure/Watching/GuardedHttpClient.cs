using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Reliability.Infrastructure.Watching;

public sealed record FetchRequest(HttpMethod Method, Uri Url)
{
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    public byte[]? Body { get; init; }
    public string? ContentType { get; init; }

    /// <summary>Only safe requests follow redirects; a webhook POST that is redirected has failed.</summary>
    public bool FollowRedirects { get; init; } = true;

    /// <summary>
    /// When set, a redirect is followed only to an address this accepts; otherwise the redirect is
    /// the answer (<see cref="FetchResult.RedirectedTo"/>), and the address it names is not contacted.
    /// </summary>
    public Func<Uri, bool>? FollowOnlyTo { get; init; }

    public static FetchRequest Get(Uri url) => new(HttpMethod.Get, url);
}

/// <summary>The last response of a request (after redirects), with at most the configured number of body bytes.</summary>
public sealed record FetchResult(int StatusCode, Uri FinalUrl, byte[] Body, bool Truncated, int Redirects)
{
    /// <summary>The server's Retry-After, as a delay, when it sent one.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Where a redirect that was not followed points.</summary>
    public Uri? RedirectedTo { get; init; }
}

/// <summary>
/// HTTP for URLs that clients supplied. Every connection goes through <see cref="IAddressPolicy"/>
/// at connect time, after DNS resolution, so a name that resolves (or re-resolves) to an internal
/// address is refused; redirects are followed here, hop by hop, so each hop is checked too. No proxy
/// (it would make the connect-time check see the proxy), no cookies, no credentials, a capped body.
/// </summary>
public sealed class GuardedHttpClient : IDisposable
{
    private static readonly HashSet<int> RedirectStatuses = [301, 302, 303, 307, 308];
    private readonly IAddressPolicy _policy;
    private readonly WatcherOptions _options;
    private readonly HttpClient _client;
    private readonly TimeProvider _clock;

    public GuardedHttpClient(IAddressPolicy policy, IOptions<WatcherOptions> options, TimeProvider clock)
    {
        _policy = policy;
        _clock = clock;
        _options = options.Value;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            Credentials = null,
            PreAuthenticate = false,
            AutomaticDecompression = DecompressionMethods.None,
            // DNS answers change; pooled connections must not outlive them by much.
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectCallback = ConnectAsync,
        };
        // Timeouts belong to the Polly pipelines around this client.
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public async Task<FetchResult> SendAsync(FetchRequest request, CancellationToken cancellationToken)
    {
        var url = request.Url;
        for (var redirects = 0; ; redirects++)
        {
            EnsureAllowedUrl(url);
            using var message = CreateMessage(request, url);
            HttpResponseMessage response;
            try
            {
                response = await _client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            }
            catch (HttpRequestException e) when (e.InnerException is FetchRefusedException refused)
            {
                throw new FetchRefusedException(refused.Reason, refused.Message);
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                var target = RedirectStatuses.Contains(status) && response.Headers.Location is { } location
                    ? (location.IsAbsoluteUri ? location : new Uri(url, location))
                    : null;
                if (target is not null && request.FollowRedirects && request.FollowOnlyTo?.Invoke(target) is not false)
                {
                    if (redirects >= _options.MaxRedirects)
                    {
                        throw new FetchRefusedException(FetchRefusal.TooManyRedirects, $"More than {_options.MaxRedirects} redirects from {request.Url}.");
                    }

                    url = target;
                    continue;
                }

                var (body, truncated) = await ReadCappedAsync(response.Content, _options.MaxResponseBytes, cancellationToken);
                return new FetchResult(status, url, body, truncated, redirects) { RetryAfter = RetryAfterOf(response), RedirectedTo = target };
            }
        }
    }

    /// <summary>Rejects what can be rejected before any network use: other schemes and literal internal addresses.</summary>
    public void EnsureAllowedUrl(Uri url)
    {
        if (!url.IsAbsoluteUri)
        {
            throw new FetchRefusedException(FetchRefusal.InvalidUrl, $"Not an absolute URL: {url}.");
        }

        if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
        {
            throw new FetchRefusedException(FetchRefusal.Scheme, $"Only http and https URLs are fetched, not {url.Scheme}.");
        }

        if (url.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6
            && IPAddress.TryParse(url.IdnHost.Trim('[', ']'), out var literal) && !_policy.IsAllowed(literal))
        {
            throw AddressRefused(url.IdnHost);
        }
    }

    private HttpRequestMessage CreateMessage(FetchRequest request, Uri url)
    {
        var message = new HttpRequestMessage(request.Method, url)
        {
            // Never HTTP/3: QUIC connections do not go through ConnectCallback, so not through the address rule.
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        message.Headers.UserAgent.ParseAdd(_options.UserAgent);
        foreach (var (name, value) in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
            if (request.ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
            }
        }

        return message;
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = addresses.Where(_policy.IsAllowed).ToArray();
        if (allowed.Length == 0)
        {
            throw AddressRefused(host);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private TimeSpan? RetryAfterOf(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - _clock.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    private static FetchRefusedException AddressRefused(string host) =>
        new(FetchRefusal.Address, $"{host} is (or resolves to) an address outbound requests may not reach.");

    private static async Task<(byte[] Body, bool Truncated)> ReadCappedAsync(HttpContent content, int max, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var body = new MemoryStream();
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            // One byte past the cap tells "exactly max" from "more than max" without reading the rest.
            for (var room = (long)max + 1; room > 0; room = (long)max + 1 - body.Length)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, room)), cancellationToken);
                if (n == 0)
                {
                    break;
                }

                body.Write(buffer, 0, n);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var truncated = body.Length > max;
        var bytes = body.ToArray();
        return (truncated ? bytes[..max] : bytes, truncated);
    }

    public void Dispose() => _client.Dispose();
}
