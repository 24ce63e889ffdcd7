using System.Collections.Concurrent;

namespace Reliability.Grains.Records;

/// <summary>Whose stream a <see cref="HeldStream"/> is.</summary>
public enum StreamOwner
{
    Source,
    Proposition,
}

/// <summary>
/// The source and proposition grains active in this silo and the stream version each holds, so that
/// one query per interval finds the grains a lost notice left behind (see <see cref="StreamCatchUp"/>)
/// instead of every active grain reading its stream on a timer of its own.
/// </summary>
public sealed class ActiveStreams
{
    private readonly ConcurrentDictionary<string, HeldStream> _held = new(StringComparer.Ordinal);

    public HeldStream Hold(StreamOwner owner, string id, long version)
    {
        var held = new HeldStream(owner, id, version);
        _held[held.StreamKey] = held;
        return held;
    }

    public void Release(HeldStream held) => _held.TryRemove(new KeyValuePair<string, HeldStream>(held.StreamKey, held));

    public bool IsHeld(HeldStream held) => _held.TryGetValue(held.StreamKey, out var current) && ReferenceEquals(current, held);

    public IReadOnlyList<HeldStream> Snapshot() => [.. _held.Values];
}

/// <summary>One active grain's stream and the version it has folded; the grain updates it as it folds.</summary>
public sealed class HeldStream(StreamOwner owner, string id, long version)
{
    private long _version = version;

    public StreamOwner Owner => owner;

    public string Id => id;

    public string StreamKey { get; } = owner == StreamOwner.Source ? StreamKeys.Source(id) : StreamKeys.Proposition(id);

    public long Version => Volatile.Read(ref _version);

    /// <summary>Records the version the grain now holds, and returns it.</summary>
    public long Track(long version)
    {
        Volatile.Write(ref _version, version);
        return version;
    }
}
