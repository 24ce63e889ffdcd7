using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NpgsqlTypes;
using Orleans.Serialization;
using Reliability.Contracts.Ledger;
using Reliability.Domain.Events;
using Reliability.Grains.Propositions;
using Reliability.Grains.Recording;
using Reliability.Grains.Records;
using Reliability.Grains.Sources;
using Reliability.Grains.Watching;
using Reliability.Infrastructure.Watching;
using Weasel.Postgresql.Tables;

namespace Reliability.Grains;

public static class RecordRegistration
{
    /// <summary>The services grains and endpoints use to write and read the record.</summary>
    public static IServiceCollection AddReliabilityRecord(this IServiceCollection services)
    {
        services.AddSingleton<ILedger, LedgerWriter>();
        services.TryAddSingleton<CommitInterleaving>();
        services.AddSerializer(serializer => serializer.AddReliabilityEvents());
        services.AddSingleton<EventStreams>();
        services.AddSingleton<RecordQueries>();
        services.AddSingleton<KnownDisputes>();
        services.AddSingleton<ScoringPolicies>();
        services.AddSingleton<TruthInputs>();
        services.AddSingleton<TruthEstimates>();
        services.AddSingleton<ReadCache>();
        services.AddOptions<ReadCacheOptions>();
        // Other nodes' writes reach this node's read cache, and this node's reach theirs.
        services.AddSingleton<ReadCacheNotices>();
        services.AddHostedService(provider => provider.GetRequiredService<ReadCacheNotices>());
        services.AddOptions<RecordOptions>();
        // One query per interval finds the active grains a lost notice left behind.
        services.AddSingleton<ActiveStreams>();
        services.AddSingleton<SharedPropositions>();
        services.AddHostedService<StreamCatchUp>();
        services.AddSingleton<IIncomingGrainCallFilter, RecordErrors>();
        services.AddSingleton<RecordEventHub>();
        services.AddSingleton<ClaimReviews>();
        // Before the silo starts: a node answers no lookup until stored keys are the current function's.
        services.AddHostedService<UrlKeyMigration>();
        // Before the node serves too: a read as of a past moment needs to know when claims were withdrawn.
        services.AddHostedService<ClaimWithdrawalTimes>();
        // And to know who held a handle at a past moment, for handles changed before that was kept.
        services.AddHostedService<HandleHolderHistory>();
        // Articles stored before their cited URLs were keyed, or whose keys a new key function dropped,
        // get their keys once the service is up, after the migration above.
        services.AddHostedService<ArticleUrlKeys>();
        // Claims are archived and their first deletion check planned as they are recorded.
        services.AddOptions<WatcherOptions>();
        services.TryAddSingleton<WatchSchedule>();
        return services;
    }

    /// <summary>Event types and read-model documents with the indexes their queries need.</summary>
    public static void ConfigureRecord(this StoreOptions options)
    {
        // Registered up front: a process that reads a stream before writing one must know the types.
        options.Events.AddEventTypes([
            typeof(SourceRegistered), typeof(SourceHandleAdded), typeof(SourceHandleRemoved), typeof(SourceAmended), typeof(ExternalRatingRecorded), typeof(PropositionOpened), typeof(ClaimRecorded),
            typeof(CorrectionRecorded), typeof(PropositionResolved), typeof(CitationRecorded), typeof(SourceMerged), typeof(SourceAbsorbed), typeof(SourceAbsorbedPart),
        ]);
        // (source, proposition) rather than source alone: it serves the queries by source as well and
        // tells a claim writer whether a source has claimed on a proposition before.
        options.Schema.For<ClaimDocument>().Index(c => c.UrlKey).Index(c => c.PropositionId)
            .Index([c => c.SourceId, c => c.PropositionId]);
        // Versioned: claim writers and editors both update it (counts, claimed options, revisions).
        // Unversioned, a writer that read it before a resolution committed stored it back without
        // the verdict, and two writers adding different options left it uncontested.
        options.Schema.For<PropositionDocument>().Index(p => p.State).UseOptimisticConcurrency(true);
        // Versioned: the grain refreshes the score fields while writers update the rest, and neither
        // may overwrite the other's change with a stale copy.
        // The merged-into index finds the sources a merge repoints (those its absorbed source had
        // taken over); without it each merge read every source's JSON. Only merged sources are in
        // it: the grains' frequent score refreshes of standing sources write no entry to it.
        options.Schema.For<SourceDocument>().Index(s => s.Band).UseOptimisticConcurrency(true)
            .Index(s => s.MergedInto!, index => index.Predicate = "(data ->> 'MergedInto') is not null");
        options.Schema.For<HandleDocument>();
        // Who held each handle when, written beside the handle documents (see HandleHolders).
        options.Storage.ExtendedSchemaObjects.Add(HandleHolders.Definition(options.DatabaseSchemaName));
        // The truth estimate as it stood at each moment, for reads known at a past moment (see EstimateHistory).
        options.Storage.ExtendedSchemaObjects.Add(EstimateHistory.Definition(options.DatabaseSchemaName));
        // The band each source's live score showed, held against flicker and for reads known at a past moment (see BandHistory).
        options.Storage.ExtendedSchemaObjects.Add(BandHistory.Definition(options.DatabaseSchemaName));
        // The same for each topic and region of the score (see TagBandHistory).
        options.Storage.ExtendedSchemaObjects.Add(TagBandHistory.Definition(options.DatabaseSchemaName));
        options.Schema.For<SourceSnapshot>();
        // Versioned: a claim writer that links an article to a claim at one of its URLs stores it,
        // and two of them at once, or one and a re-registration, must not lose either's citations.
        // The cited URL keys are a column of their own with a GIN index, so a claim commit finds
        // every article citing any of its URLs with one overlap query (&&). Its own URL's key finds
        // an article registered under an earlier key function. The cited claims are a GIN-indexed
        // column too: a correction, a change of mind or a lookup asks which articles cite a claim,
        // and read out of the JSON that was a scan of every article for each of them.
        options.Schema.For<ArticleDocument>().UseOptimisticConcurrency(true).Index(a => a.UrlKey)
            .Duplicate(a => a.CitedUrlKeys!, pgType: "text[]", dbType: NpgsqlDbType.Array | NpgsqlDbType.Text,
                configure: index => index.Method = IndexMethod.gin)
            .Duplicate(a => a.CitedClaimIds, pgType: "text[]", dbType: NpgsqlDbType.Array | NpgsqlDbType.Text,
                configure: index => index.Method = IndexMethod.gin);
        options.Schema.For<ClaimReviewDocument>().Index(r => r.PropositionId);
        // Versioned: two activations of the truth grain at once must not take the same generation.
        options.Schema.For<TruthGeneration>().UseOptimisticConcurrency(true);
        // Versioned: the check worker, the schedule's lease and a citing article each update it. The
        // schedule is a column of its own: an index on the JSON field calls a SQL function to read the
        // time on every insert, which made a watch cost nearly three times an archived post to write.
        options.Schema.For<ClaimWatch>().Duplicate(w => w.NextCheckAt).UseOptimisticConcurrency(true);
    }
}
