namespace Reliability.Contracts.Probe;

/// <summary>
/// The walking skeleton's grain: proves a request can travel HTTP → grain → Marten stream and back,
/// across deactivation. Replaced by the source and proposition grains as they land.
/// </summary>
[Alias("Reliability.Contracts.Probe.IEventStoreProbeGrain")]
public interface IEventStoreProbeGrain : IGrainWithStringKey
{
    [Alias("Record")]
    Task<ProbeState> RecordAsync(string note);

    [Alias("Get")]
    Task<ProbeState> GetAsync();
}

[GenerateSerializer, Immutable]
[Alias("Reliability.Contracts.Probe.ProbeState")]
public sealed record ProbeState(string Id, long Version, IReadOnlyList<string> Notes);

/// <summary>The one event the skeleton writes.</summary>
public sealed record ProbeNoteRecorded(string Note, DateTimeOffset RecordedAt);
