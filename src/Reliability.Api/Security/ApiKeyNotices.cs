using Npgsql;
using Reliability.Infrastructure.Database;
using Reliability.Infrastructure.Security;

namespace Reliability.Api.Security;

/// <summary>
/// Hears the changes to API keys announced on <see cref="ApiKeyStore.ChangeChannel"/> — by any
/// node, or by the command line writing the database directly — and drops this node's cached copy
/// of the key, which also makes the key's open event streams check it again at once. Without it a
/// key revoked elsewhere would go on working here until the cache let it go.
/// </summary>
/// <remarks>
/// PostgreSQL keeps no notification for a connection that is not there, so whenever the node starts
/// hearing again it drops every key it kept and has every stream check its key: what it may have
/// missed is read afresh. It counts itself as hearing only once a probe of its own came back
/// (<see cref="ChannelListener"/>); until then, behind a connection pooler in transaction mode for
/// instance, the resolver keeps a key only briefly, so a revocation elsewhere is still seen within
/// seconds. The streams' periodic checks stay as the safety net for a notice lost otherwise.
/// </remarks>
internal sealed partial class ApiKeyNotices(
    NpgsqlDataSource database, ApiKeyResolver keys, TimeProvider clock, ILogger<ApiKeyNotices> logger) : BackgroundService
{
    // A key id is a GUID's digits, or a name the command line gave it: never two words. A node of an
    // older version takes a probe for a key id no key has, and drops nothing it needs.
    private const string ProbePrefix = "probe ";

    private readonly string _node = Guid.NewGuid().ToString("N");

    /// <summary>How long a probe may take to come back before the node counts itself as not hearing.</summary>
    internal TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The channel this node listens on: always <see cref="ApiKeyStore.ChangeChannel"/>, but for the
    /// tests that play a connection notifications never reach.
    /// </summary>
    internal string ListeningChannel { get; init; } = ApiKeyStore.ChangeChannel;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listener = new ChannelListener(database, clock, logger)
        {
            Channel = ApiKeyStore.ChangeChannel,
            ListeningChannel = ListeningChannel,
            Subject = "changes to API keys",
            ProbePayload = probe => $"{ProbePrefix}{_node} {probe}",
            IsProbe = payload => payload.StartsWith(ProbePrefix, StringComparison.Ordinal),
            ProbeTimeout = ProbeTimeout,
        };
        return listener.ListenAsync(new Ear(keys, logger), stoppingToken);
    }

    private sealed class Ear(ApiKeyResolver keys, ILogger logger) : IChannelEar
    {
        public void Heard(string payload)
        {
            LogHeard(logger, payload);
            keys.Forget(payload);
        }

        public void StartedHearing() => keys.StartedHearing();

        public void StoppedHearing() => keys.StoppedHearing();
    }

    [LoggerMessage(LogLevel.Debug, "API key {KeyId} changed; this node's copy of it is dropped")]
    private static partial void LogHeard(ILogger logger, string keyId);
}
