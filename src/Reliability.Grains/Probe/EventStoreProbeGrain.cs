using Marten;
using Reliability.Contracts.Probe;

namespace Reliability.Grains.Probe;

public sealed class EventStoreProbeGrain(IDocumentStore store, TimeProvider clock) : Grain, IEventStoreProbeGrain
{
    private readonly List<string> _notes = [];
    private long _version;

    private string StreamKey => $"probe-{this.GetPrimaryKeyString()}";

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // State is rebuilt from the stream on every activation: the stream is the truth.
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(StreamKey, token: cancellationToken);
        foreach (var stored in events)
        {
            if (stored.Data is ProbeNoteRecorded recorded)
            {
                _notes.Add(recorded.Note);
            }

            _version = stored.Version;
        }
    }

    public async Task<ProbeState> RecordAsync(string note)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(note);
        await using var session = store.LightweightSession();
        session.Events.Append(StreamKey, _version + 1, new ProbeNoteRecorded(note, clock.GetUtcNow()));
        try
        {
            await session.SaveChangesAsync();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Marten's exceptions have no Orleans codec; deactivate so the next call reloads the stream.
            DeactivateOnIdle();
            throw new InvalidOperationException($"Could not append to {StreamKey}: {exception.Message}");
        }

        _notes.Add(note);
        _version++;
        return Snapshot();
    }

    public Task<ProbeState> GetAsync() => Task.FromResult(Snapshot());

    private ProbeState Snapshot() => new(this.GetPrimaryKeyString(), _version, [.. _notes]);
}
