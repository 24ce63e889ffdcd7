using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Reliability.Api.Security;
using Reliability.Contracts.Ledger;
using Reliability.Contracts.Propositions;
using Reliability.Grains.Records;

namespace Reliability.Api.Apis;

/// <summary>Propositions, their provisional truth and their resolutions.</summary>
internal static class PropositionsApi
{
    public static IEndpointRouteBuilder MapPropositionsApi(this IEndpointRouteBuilder app)
    {
        var propositions = app.MapGroup("/v1/propositions").WithTags("Propositions");
        propositions.MapPost("/", OpenAsync).RequireAuthorization(Roles.Contributor)
            .WithSummary("Open a proposition (the same question and options give the same proposition)");
        propositions.MapGet("/", ListAsync).RequireAuthorization(Roles.Reader).WithEntityTag()
            .WithSummary("Propositions by state: open, contested or resolved");
        propositions.MapGet("/{id}", GetAsync).RequireAuthorization(Roles.Reader).WithEntityTag()
            .WithSummary("Options, claims, provisional probabilities and the resolution in force, now or as of a time; with `knownAt`, from what the tracker had recorded by then");
        propositions.MapPut("/{id}/resolution", ResolveAsync).RequireAuthorization(Roles.Editor)
            .WithSummary("Resolve or revise: confirm an option or declare it unresolvable; revisions are kept");
        propositions.MapGet("/{id}/resolutions", ResolutionsAsync).RequireAuthorization(Roles.Reader).WithEntityTag()
            .WithSummary("Every resolution revision, oldest first");
        return app;
    }

    public sealed record PropositionSummary(string Id, string Question, IReadOnlyList<string> Options, IReadOnlyList<string> Topics, string? Region, string State, int ClaimCount);

    private static async Task<Results<Created<PropositionView>, ProblemHttpResult>> OpenAsync(
        PropositionRequest proposition, ILedger ledger, CancellationToken cancellationToken)
    {
        var errors = new RequestErrors();
        var request = errors.Proposition("", proposition);
        if (errors.Any || request is null)
        {
            return Problems.Invalid(errors.ToDictionary());
        }

        var outcome = await ledger.OpenPropositionAsync(request, cancellationToken);
        return outcome.Succeeded ? TypedResults.Created($"/v1/propositions/{outcome.Value!.Id}", outcome.Value) : Problems.From(outcome);
    }

    private static async Task<Results<Ok<PropositionSummary[]>, ProblemHttpResult>> ListAsync(
        RecordQueries queries, CancellationToken cancellationToken, string? state = null, int limit = 100)
    {
        if (state is not (null or "open" or "contested" or "resolved"))
        {
            return Problems.Invalid(new Dictionary<string, string[]> { ["state"] = ["One of: open, contested, resolved."] });
        }

        if (limit is < 1 or > 1_000)
        {
            return Problems.Invalid(new Dictionary<string, string[]> { ["limit"] = ["Between 1 and 1000."] });
        }

        var found = await queries.ListPropositionsAsync(state, limit, cancellationToken);
        return TypedResults.Ok(found.Select(p => new PropositionSummary(
            p.Id, p.Proposition.Question, p.Proposition.Options, p.Proposition.Topics, p.Proposition.Region, p.State, p.ClaimCount)).ToArray());
    }

    /// <summary>
    /// The proposition now; as of a time (<c>asOf</c>); or as the tracker knew it at a time
    /// (<c>knownAt</c>), both read and checked as a source's reads take them. One the tracker has that
    /// was not there by the time asked is a 404 saying so.
    /// </summary>
    private static async Task<Results<Ok<PropositionView>, ProblemHttpResult>> GetAsync(
        string id, IGrainFactory grains, TimeProvider clock, string? asOf = null, string? knownAt = null)
    {
        if (!SourcesApi.TryAsOf(asOf, clock.GetUtcNow(), out var at, out var problem)
            || !SourcesApi.TryKnownAt(knownAt, at, clock.GetUtcNow(), out var recorded, out problem))
        {
            return problem;
        }

        var proposition = grains.GetGrain<IPropositionGrain>(id);
        var view = recorded is { } recordedBy ? await proposition.GetKnownAtAsync(recordedBy, at ?? recordedBy)
            : at is { } then ? await proposition.GetAsOfAsync(then)
            : await proposition.GetAsync();
        if (view is not null)
        {
            return TypedResults.Ok(view);
        }

        if ((at ?? recorded) is not { } moment || await proposition.GetAsync() is null)
        {
            return Problems.NotFound($"No proposition has the id '{id}'.");
        }

        return Problems.NotFound(recorded is { } known
            ? $"The proposition '{id}' was not yet on record at {moment:O}, as the tracker knew it at {known:O}."
            : $"The proposition '{id}' was not yet on record at {moment:O}.");
    }

    private static async Task<Results<Ok<ResolutionView>, ProblemHttpResult>> ResolveAsync(
        string id, ResolutionRequest resolution, ClaimsPrincipal user, ILedger ledger, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new RequestErrors();
        errors.HasHappened("at", resolution.At, clock.GetUtcNow());
        errors.Optional("option", resolution.Option, 500);
        errors.Urls("evidence", resolution.Evidence);
        errors.Optional("note", resolution.Note, RequestErrors.MaxTextLength);
        if ((resolution.Option is null) == (resolution.Unresolvable is not true))
        {
            errors.Add("option", "Give either an option to confirm or unresolvable: true.");
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors.ToDictionary());
        }

        // The editor on record is the key's name: resolutions say who decided.
        var editor = user.FindFirstValue(ClaimTypes.Name) ?? "unknown";
        var outcome = await ledger.ResolveAsync(id, new ResolutionSubmission(
            resolution.Option, resolution.Unresolvable is true, resolution.Evidence, resolution.Note, editor, resolution.At), cancellationToken);
        return outcome.Succeeded ? TypedResults.Ok(outcome.Value!) : Problems.From(outcome);
    }

    private static async Task<Results<Ok<IReadOnlyList<ResolutionView>>, ProblemHttpResult>> ResolutionsAsync(string id, IGrainFactory grains) =>
        await grains.GetGrain<IPropositionGrain>(id).GetResolutionsAsync() is { } revisions
            ? TypedResults.Ok(revisions)
            : Problems.NotFound($"No proposition has the id '{id}'.");
}
