using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Reliability.Cli.Bench;

/// <summary>One run of <c>reliability bench</c>: every figure beside its baseline, and where it ran.</summary>
public sealed record BenchReport(
    DateTimeOffset Timestamp, BenchSizes Sizes, int Seed, ServiceFigures Service, TruthBenchmarkReport Truth)
{
    public const double IngestTarget = 2.0;
    public const double LookupTarget = 0.5;
    public const double ScoreTarget = 0.8;
    public const double ColdActivationTarget = 3.0;

    public double IngestVsRawInsert => Service.Ingest.PerSecond / Service.RawInsert.PerSecond;
    public double LookupVsTrivial => Service.Lookup.PerSecond / Service.LookupBaseline.PerSecond;
    public double ScoreVsTrivial => Service.Score.PerSecond / Service.ScoreBaseline.PerSecond;
    public double ColdActivationVsRawRead => Median(Service.ColdActivationMs) / Median(Service.RawReadMs);

    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The median of the answers, or null when any request went unanswered (the median would flatter).</summary>
    public static double? MedianOrNull(IReadOnlyList<double?> values) =>
        values.Any(v => v is null) ? null : Median([.. values.Select(v => v!.Value)]);

    /// <summary>The ratios at the top, as the issue names them; raw figures, sizes and the machine below.</summary>
    public JsonObject ToJson()
    {
        var truth = new JsonObject();
        var truthMs = new JsonObject();
        foreach (var dataset in Truth.Datasets)
        {
            truth[dataset.Dataset] = dataset.Accuracy;
            truthMs[dataset.Dataset] = dataset.Milliseconds;
        }

        var figures = new JsonObject
        {
            ["ingest_claims_per_s"] = Service.Ingest.PerSecond,
            ["raw_insert_rows_per_s"] = Service.RawInsert.PerSecond,
            ["raw_insert_before_rows_per_s"] = Service.RawInsertBefore.PerSecond,
            ["raw_insert_after_rows_per_s"] = Service.RawInsertAfter.PerSecond,
            ["trivial_requests_per_s"] = Service.Trivial.PerSecond,
            ["trivial_before_requests_per_s"] = Service.TrivialBefore.PerSecond,
            ["trivial_between_requests_per_s"] = Service.TrivialBetween.PerSecond,
            ["trivial_after_requests_per_s"] = Service.TrivialAfter.PerSecond,
            ["lookup_requests_per_s"] = Service.Lookup.PerSecond,
            ["lookup_baseline_requests_per_s"] = Service.LookupBaseline.PerSecond,
            ["score_requests_per_s"] = Service.Score.PerSecond,
            ["score_baseline_requests_per_s"] = Service.ScoreBaseline.PerSecond,
            ["cold_activation_ms"] = Median(Service.ColdActivationMs),
            ["first_score_ms"] = MedianOrNull(Service.FirstScoreMs),
            ["warm_score_ms"] = MedianOrNull(Service.WarmScoreMs),
            ["score_failures"] = Service.FirstScoreMs.Concat(Service.WarmScoreMs).Count(ms => ms is null),
            ["raw_read_ms"] = Median(Service.RawReadMs),
            ["cold_stream_events"] = Service.ColdStreamEvents,
            ["truth_ms"] = truthMs,
            ["truth_half_resolved"] = new JsonObject(Truth.HalfResolved.Select(h =>
                KeyValuePair.Create(h.Dataset, (JsonNode?)new JsonObject { ["accuracy"] = h.Accuracy, ["ms"] = h.Milliseconds, ["splits"] = h.Splits }))),
            ["truth_generated"] = new JsonObject(Truth.Generated.Select(g => KeyValuePair.Create(g.Shape, (JsonNode?)new JsonObject
            {
                ["engine"] = g.Engine,
                ["vote"] = g.Vote,
                ["informed_vote"] = g.InformedVote,
                ["engine_stated_probability"] = g.Confidence,
                ["engine_calibration_error"] = g.CalibrationError,
                ["engine_on_judged_half"] = g.EngineOnJudgedHalf,
                ["engine_half_resolved"] = g.EngineHalfResolved,
                ["engine_without_times"] = double.IsNaN(g.EngineWithoutTimes) ? null : g.EngineWithoutTimes,
                ["objects"] = g.Objects,
                ["claims"] = g.Claims,
                ["seeds"] = Truth.GeneratedSeeds,
            }))),
        };
        figures["cpu_us_per_operation"] = new JsonObject
        {
            // The service is idle in the raw windows: only the machine's time is the baseline's.
            ["raw_insert_row"] = new JsonObject { ["machine"] = Service.RawInsert.MachineCpuMicroseconds },
            ["ingest_claim"] = Cpu(Service.Ingest),
            ["trivial_request"] = Cpu(Service.Trivial),
            ["lookup_request"] = Cpu(Service.Lookup),
            ["score_request"] = Cpu(Service.Score),
        };
        figures["warm_up"] = new JsonObject(Service.WarmUps.Select(w => KeyValuePair.Create(w.Key, (JsonNode?)new JsonObject
        {
            ["rounds"] = w.Value.Rounds,
            ["seconds"] = w.Value.Seconds,
            ["settled_per_s"] = w.Value.SettledRate,
            ["settled"] = w.Value.Settled,
        })));
        if (Service.Memory is { } memory)
        {
            figures["memory_per_source_grain_bytes"] = memory.BytesPerSource;
            figures["memory_managed_heap_before_bytes"] = memory.ManagedHeapBefore;
            figures["memory_managed_heap_after_bytes"] = memory.ManagedHeapAfter;
            figures["memory_per_source_grain_working_set_bytes"] = memory.WorkingSetBytesPerSource;
            figures["memory_working_set_before_bytes"] = memory.WorkingSetBefore;
            figures["memory_working_set_after_bytes"] = memory.WorkingSetAfter;
            figures["memory_active_source_grains_before"] = memory.ActiveSourcesBefore;
            figures["memory_active_source_grains_after"] = memory.ActiveSourcesAfter;
        }

        if (Service.Scale is { } scale)
        {
            figures["scale_ingest_seconds"] = scale.IngestSeconds;
            figures["scale_ingest_claims_per_s"] = scale.Claims / scale.IngestSeconds;
            figures["scale_rescore_seconds"] = scale.RescoreSeconds;
            figures["scale_rescored_sources"] = scale.RescoredSources;
            figures["scale_peak_working_set_bytes"] = scale.PeakWorkingSet;
            figures["scale_managed_heap_after_ingest_bytes"] = scale.ManagedHeapAfterIngest;
            figures["scale_managed_heap_after_rescore_bytes"] = scale.ManagedHeapAfterRescore;
            figures["scale_active_source_grains_after_ingest"] = scale.ActiveSourcesAfterIngest;
            figures["scale_active_source_grains_after_rescore"] = scale.ActiveSourcesAfterRescore;
            figures["scale_resolutions"] = scale.Resolutions;
            figures["scale_resolve_seconds"] = scale.ResolveSeconds;
            figures["scale_truth_catch_up_after_resolutions_seconds"] = scale.TruthCatchUpSeconds;
            figures["scale_peak_working_set_after_resolutions_bytes"] = scale.PeakWorkingSetAfterResolutions;
            figures["scale_managed_heap_after_resolutions_bytes"] = scale.ManagedHeapAfterResolutions;
        }

        return new JsonObject
        {
            ["ingest_vs_raw_insert"] = IngestVsRawInsert,
            ["lookup_vs_trivial"] = LookupVsTrivial,
            ["score_vs_trivial"] = ScoreVsTrivial,
            ["cold_activation_vs_raw_read"] = ColdActivationVsRawRead,
            ["truth"] = truth,
            ["targets"] = new JsonObject
            {
                ["ingest_vs_raw_insert"] = string.Create(CultureInfo.InvariantCulture, $">= {IngestTarget}"),
                ["lookup_vs_trivial"] = string.Create(CultureInfo.InvariantCulture, $">= {LookupTarget}"),
                ["score_vs_trivial"] = string.Create(CultureInfo.InvariantCulture, $">= {ScoreTarget}"),
                ["cold_activation_vs_raw_read"] = string.Create(CultureInfo.InvariantCulture, $"<= {ColdActivationTarget}"),
                ["truth"] = new JsonObject(TruthBenchmark.References.Select(r => KeyValuePair.Create(r.Key, (JsonNode?)r.Value.Accuracy))),
            },
            ["figures"] = figures,
            ["sizes"] = new JsonObject
            {
                ["mode"] = Sizes.Mode,
                ["seed"] = Seed,
                ["clients"] = Sizes.Clients,
                ["claims_per_request"] = BenchClaims.BatchSize,
                ["ingest_claims"] = Sizes.IngestClaims,
                ["ingest_claims_per_set"] = Math.Min(Sizes.ClaimsPerSet, Sizes.IngestClaims),
                ["ingest_sources"] = Sizes.IngestSources,
                ["ingest_propositions"] = Sizes.IngestPropositions,
                ["lookup_items"] = ServiceBenchmark.LookupItems,
                ["read_window_seconds"] = Sizes.Window.TotalSeconds,
                ["cold_claims_per_source"] = Sizes.ColdClaims,
                ["cold_sources"] = Sizes.ColdSources,
                ["memory_sources"] = Sizes.MemorySources,
                ["scale_claims"] = Sizes.ScaleClaims,
                ["scale_sources"] = Sizes.ScaleSources,
                ["scale_resolutions"] = Sizes.ScaleResolutions,
            },
            ["machine"] = new JsonObject
            {
                ["cores"] = Environment.ProcessorCount,
                ["os"] = RuntimeInformation.OSDescription,
                ["dotnet"] = RuntimeInformation.FrameworkDescription,
                ["architecture"] = RuntimeInformation.OSArchitecture.ToString(),
            },
            ["timestamp"] = Timestamp.ToString("O", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>A window's CPU per operation: the service's, and the whole machine's where known.</summary>
    private static JsonObject Cpu(Throughput window) => new()
    {
        ["service"] = window.ServiceCpuMicroseconds,
        ["machine"] = window.MachineCpuMicroseconds,
    };

    public string ToJsonText() => ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
