using System.Diagnostics;
using System.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;
using Reliability.Api.Security;
using Reliability.Contracts.Sources;
using Reliability.Grains.Propositions;
using Reliability.Grains.Records;

namespace Reliability.Api.Apis;

/// <summary>Operations on the whole record, for admins.</summary>
internal static class AdminApi
{
    private const int RescoresAtOnce = 8;

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/v1/admin").WithTags("Admin").RequireAuthorization(Roles.Admin);
        admin.MapPost("/rescore", RescoreAsync)
            .WithSummary("Recompute every source's live score under a named scoring policy (the listing follows)");
        admin.MapPost("/memory/collect", CollectMemory)
            .WithSummary("This node's memory after a full, compacting garbage collection (pauses the node for it)");
        admin.MapGet("/truth", TruthAsync)
            .WithSummary("Whether the provisional truth estimate has caught up with the record");
        return app;
    }

    /// <summary>
    /// Version: grows with each recomputation. Stale: the record changed since the estimate was made,
    /// and a recomputation is pending or running (while it runs it holds its working copy of the
    /// record, so a memory reading then is not what the node holds at rest).
    /// </summary>
    public sealed record TruthStatus(long Version, bool Stale);

    // As this node's readers see it (at most half a second behind the truth grain): asking the grain
    // itself waits out a recomputation, which on a million claims outlasts a request.
    private static async Task<Ok<TruthStatus>> TruthAsync(TruthEstimates truth)
    {
        var estimates = await truth.CurrentAsync();
        return TypedResults.Ok(new TruthStatus(estimates.Version, estimates.Stale));
    }

    /// <summary>
    /// What this node holds, measured after a full compacting collection. Working set moves with
    /// when the collector last ran and how much of its heap it keeps committed, so the growth of
    /// the live managed heap is how the benchmark measures what active grains cost. Activations:
    /// the grains active on this node then, by grain class (without its namespace), so a growth of
    /// the heap can be set against the grains that hold it.
    /// </summary>
    public sealed record NodeMemory(
        long ManagedHeapBytes, long HeapSizeBytes, long FragmentedBytes, long CommittedBytes, long WorkingSetBytes, int FullCollections,
        IReadOnlyDictionary<string, int> Activations);

    private static async Task<Ok<NodeMemory>> CollectMemory(IGrainFactory grains, ILocalSiloDetails silo)
    {
        var statistics = await grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics([silo.SiloAddress]);
        var activations = statistics.GroupBy(s => GrainClassName(s.GrainType), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(s => s.ActivationCount), StringComparer.Ordinal);

        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        var info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        using var process = Process.GetCurrentProcess();
        return TypedResults.Ok(new NodeMemory(
            GC.GetTotalMemory(forceFullCollection: false), info.HeapSizeBytes, info.FragmentedBytes, info.TotalCommittedBytes,
            process.WorkingSet64, GC.CollectionCount(GC.MaxGeneration), activations));
    }

    /// <summary>"Reliability.Grains.Sources.SourceGrain,Reliability.Grains" → "SourceGrain": the name a reader knows.</summary>
    private static string GrainClassName(string grainType)
    {
        var type = grainType.Split(',')[0];
        return type[(type.LastIndexOf('.') + 1)..];
    }

    public sealed record RescoreResult(string Policy, int Sources, int Changed);

    /// <summary>
    /// One policy exists today, so a rescore recomputes every live score under it and refreshes the
    /// listing; naming the policy keeps the call honest when a second one arrives.
    /// </summary>
    private static async Task<Results<Ok<RescoreResult>, ProblemHttpResult>> RescoreAsync(
        RescoreRequest request, RecordQueries queries, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var errors = new RequestErrors();
        var name = errors.Required("policy", request.Policy, 100);
        if (name is not null && ScoringPolicies.Find(name) is null)
        {
            errors.Add("policy", $"Unknown policy; known: {string.Join(", ", ScoringPolicies.Names)}.");
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors.ToDictionary());
        }

        var sources = await queries.AllSourcesAsync(cancellationToken);
        var changed = 0;
        // A few at a time: one after another, 100,000 sources took minutes of mostly waiting on
        // activations; all at once would activate them all together.
        await Parallel.ForEachAsync(
            sources,
            new ParallelOptions { MaxDegreeOfParallelism = RescoresAtOnce, CancellationToken = cancellationToken },
            async (source, _) =>
            {
                if (await grains.GetGrain<ISourceGrain>(source.Id).RefreshAsync() is { } summary
                    && (summary.Band != source.Band || Math.Abs(summary.Score - source.Score) > 1e-9))
                {
                    Interlocked.Increment(ref changed);
                }
            });

        return TypedResults.Ok(new RescoreResult(ScoringPolicies.Find(name!)!.Version, sources.Count, changed));
    }
}
