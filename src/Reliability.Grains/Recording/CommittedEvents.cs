using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Configuration;
using Reliability.Domain.Events;

namespace Reliability.Grains.Recording;

/// <summary>
/// The events one commit appended to one stream, numbered <see cref="FromVersion"/> to
/// <see cref="ToVersion"/>. The writer hands them to the stream's grain, which folds them in without
/// reading the stream back, as long as they follow on from what it holds.
/// </summary>
[GenerateSerializer, Immutable, Alias("Reliability.CommittedEvents")]
public sealed record CommittedEvents(
    [property: Id(0)] long FromVersion,
    [property: Id(1)] long ToVersion,
    [property: Id(2)] IReadOnlyList<IReliabilityEvent> Events)
{
    /// <summary>These events open their stream: a grain that holds nothing yet needs to read nothing.</summary>
    public bool StartStream => FromVersion == 1;

    /// <summary>What a grain holding its stream up to <paramref name="heldVersion"/> does with these events.</summary>
    public CommittedAction ActionFor(long heldVersion) =>
        ToVersion <= heldVersion ? CommittedAction.Ignore
        : FromVersion == heldVersion + 1 ? CommittedAction.Fold
        // A commit in between has not been announced yet; the stream has both.
        : CommittedAction.ReadStream;
}

public enum CommittedAction
{
    /// <summary>Already held.</summary>
    Ignore,

    /// <summary>They follow on from what the grain holds.</summary>
    Fold,

    /// <summary>There is a gap before them.</summary>
    ReadStream,
}

/// <summary>A source grain as the writer sees it: told what was just committed to its stream.</summary>
[Alias("Reliability.ISourceStreamGrain")]
public interface ISourceStreamGrain : IGrainWithStringKey
{
    [Alias("Committed")]
    Task CommittedAsync(CommittedEvents committed);
}

/// <summary>A proposition grain as the writer sees it.</summary>
[Alias("Reliability.IPropositionStreamGrain")]
public interface IPropositionStreamGrain : IGrainWithStringKey
{
    [Alias("Committed")]
    Task CommittedAsync(CommittedEvents committed);
}

public static class CommittedEventsSerialization
{
    /// <summary>
    /// The domain's events are plain records with no Orleans attributes (the domain does no I/O);
    /// between silos they travel as JSON, the form they are stored in.
    /// </summary>
    public static ISerializerBuilder AddReliabilityEvents(this ISerializerBuilder serializer)
    {
        // Orleans refuses to name types it has not been told about (lists of events included).
        serializer.Services.Configure<TypeManifestOptions>(options => options.AddAllowedAssembly(typeof(IReliabilityEvent).Assembly));
        return serializer.AddJsonSerializer(isSupported: IsDomainType);
    }

    private static bool IsDomainType(Type type) =>
        type.Namespace is "Reliability.Domain.Events" or "Reliability.Domain.Model";
}
