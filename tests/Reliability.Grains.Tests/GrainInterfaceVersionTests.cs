using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Metadata;
using Reliability.Contracts.Propositions;
using Reliability.Contracts.Sources;
using Reliability.Contracts.Watching;

namespace Reliability.Grains.Tests;

/// <summary>
/// Grain interfaces are versioned so that, during a rolling upgrade, a call naming a method an older
/// copy lacks is placed on a copy that has it. That works only if every change to an interface's
/// methods raises its version: each version's methods are written down here, and a change to them
/// without a new version fails.
/// </summary>
public sealed class GrainInterfaceVersionTests(GrainCluster fixture) : IClassFixture<GrainCluster>
{
    private static readonly Dictionary<Type, (ushort Version, string[] Methods)> Known = new()
    {
        [typeof(ISourceGrain)] = (2,
        [
            "CatchUp: Task CatchUpAsync(Int64)",
            "Explain: Task<ExplanationView> ExplainAsync(Nullable<DateTimeOffset>, Nullable<Int32>)",
            "ExplainKnownAt: Task<ExplanationView> ExplainKnownAtAsync(DateTimeOffset, DateTimeOffset, Nullable<Int32>)",
            "GetClaim: Task<ClaimView> GetClaimAsync(String)",
            "GetClaims: Task<ClaimPage> GetClaimsAsync(String, Int32)",
            "GetClaimsAsOf: Task<ClaimPage> GetClaimsAsOfAsync(DateTimeOffset, String, Int32)",
            "GetClaimsKnownAt: Task<ClaimPage> GetClaimsKnownAtAsync(DateTimeOffset, DateTimeOffset, String, Int32)",
            "GetHistory: Task<ScoreHistoryView> GetHistoryAsync(Nullable<Int32>)",
            "GetHistoryAsOf: Task<ScoreHistoryView> GetHistoryAsOfAsync(DateTimeOffset, Nullable<Int32>)",
            "GetHistoryKnownAt: Task<ScoreHistoryView> GetHistoryKnownAtAsync(DateTimeOffset, DateTimeOffset, Nullable<Int32>)",
            "GetMergedInto: Task<String> GetMergedIntoAsync()",
            "GetProfile: Task<SourceProfile> GetProfileAsync()",
            "GetProfileAsOf: Task<SourceProfile> GetProfileAsOfAsync(DateTimeOffset)",
            "GetProfileKnownAt: Task<SourceProfile> GetProfileKnownAtAsync(DateTimeOffset, DateTimeOffset)",
            "GetRegionHistory: Task<ScoreHistoryView> GetRegionHistoryAsync(String, Nullable<DateTimeOffset>, Nullable<DateTimeOffset>, Nullable<Int32>)",
            "GetScore: Task<ScoreView> GetScoreAsync(Nullable<DateTimeOffset>, String)",
            "GetScoreKnownAt: Task<ScoreView> GetScoreKnownAtAsync(DateTimeOffset, DateTimeOffset, String)",
            "GetTopicHistory: Task<ScoreHistoryView> GetTopicHistoryAsync(String, Nullable<DateTimeOffset>, Nullable<DateTimeOffset>, Nullable<Int32>)",
            "Lookup: Task<SourceLookup> LookupAsync(IReadOnlyList<String>, Int32, Nullable<DateTimeOffset>)",
            "LookupKnownAt: Task<SourceLookup> LookupKnownAtAsync(IReadOnlyList<String>, Int32, DateTimeOffset, DateTimeOffset)",
            "Refresh: Task<ScoreSummary> RefreshAsync()",
        ]),
        [typeof(IPropositionGrain)] = (1,
        [
            "CatchUp: Task CatchUpAsync(Int64)",
            "Get: Task<PropositionView> GetAsync()",
            "GetAsOf: Task<PropositionView> GetAsOfAsync(DateTimeOffset)",
            "GetKnownAt: Task<PropositionView> GetKnownAtAsync(DateTimeOffset, DateTimeOffset)",
            "GetResolutions: Task<IReadOnlyList<ResolutionView>> GetResolutionsAsync()",
        ]),
        [typeof(ITruthGrain)] = (0,
        [
            "Changed: Task ChangedAsync(TruthChanges)",
            "GetAllIfNewer: Task<EstimatesUpdate> GetAllIfNewerAsync(Int64)",
            "GetEstimates: Task<ProvisionalEstimates> GetEstimatesAsync(IReadOnlyList<String>)",
            "Invalidate: Task InvalidateAsync()",
        ]),
        [typeof(IDeletionWatchGrain)] = (0,
        [
            "Start: Task StartAsync()",
            "Tick: Task<Int32> TickAsync()",
        ]),
    };

    public static TheoryData<Type> Interfaces => [.. Known.Keys];

    [Theory]
    [MemberData(nameof(Interfaces))]
    public void An_interface_whose_methods_changed_has_a_new_version(Type grainInterface)
    {
        var (version, methods) = Known[grainInterface];
        var now = MethodsOf(grainInterface);

        Assert.True(methods.SequenceEqual(now),
            $"{grainInterface.Name}'s methods are not those of its version {version}. Raise its [Version] and write its methods here:{Environment.NewLine}"
            + string.Join(Environment.NewLine, now.Select(m => $"            \"{m}\",")));
        Assert.Equal(version, VersionOf(grainInterface));
    }

    [Fact]
    public void Every_grain_interface_of_the_contracts_is_written_down()
    {
        var all = typeof(ISourceGrain).Assembly.GetTypes().Where(t => t.IsInterface && typeof(IGrain).IsAssignableFrom(t));
        Assert.Equal(all.OrderBy(t => t.FullName), Known.Keys.OrderBy(t => t.FullName));
    }

    [Fact]
    public void The_cluster_places_source_grains_by_the_version_of_their_interface()
    {
        // What the silos tell each other they host: the version a newer copy's calls are matched against.
        var manifest = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IClusterManifestProvider>().Current;
        var versions = manifest.AllGrainManifests.SelectMany(m => m.Interfaces.Values)
            .Where(i => i.Properties.Values.Any(v => v.Contains(nameof(ISourceGrain), StringComparison.Ordinal)))
            .Select(i => i.Properties.GetValueOrDefault(WellKnownGrainInterfaceProperties.Version))
            .Distinct()
            .ToList();

        Assert.Equal([Known[typeof(ISourceGrain)].Version.ToString(System.Globalization.CultureInfo.InvariantCulture)], versions);
    }

    private static ushort VersionOf(Type grainInterface) => grainInterface.GetCustomAttribute<Orleans.CodeGeneration.VersionAttribute>()?.Version ?? 0;

    /// <summary>Alias, return type, name and parameter types of each method: what a call across copies depends on.</summary>
    private static string[] MethodsOf(Type grainInterface) =>
        [.. grainInterface.GetMethods()
            .Select(m => $"{m.GetCustomAttribute<AliasAttribute>()?.Alias}: {Name(m.ReturnType)} {m.Name}({string.Join(", ", m.GetParameters().Select(p => Name(p.ParameterType)))})")
            .Order(StringComparer.Ordinal)];

    private static string Name(Type type) =>
        type.IsGenericType
            ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(Name))}>"
            : type.Name;
}
