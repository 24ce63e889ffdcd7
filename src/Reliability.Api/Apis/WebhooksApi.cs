using Microsoft.AspNetCore.Http.HttpResults;
using Reliability.Api.Security;
using Reliability.Grains.Records;
using Reliability.Infrastructure.Webhooks;

namespace Reliability.Api.Apis;

/// <summary>
/// Webhook subscriptions and their deliveries, managed by admins: a subscription's secret signs every
/// delivery and is shown once, when the subscription is created.
/// </summary>
internal static class WebhooksApi
{
    /// <summary>What the record announces; a subscription may narrow itself to some of them.</summary>
    public static readonly string[] EventKinds =
        ["claim.deleted", "claim.retracted", "claim.reversed", "claim.amended", "claim.withheld", "claim.superseded", "proposition.resolved", "source.rated", "source.handle-removed", "source.merged"];

    private const int MaxFilterValues = 100;
    private const int MinSecretLength = 16;

    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var webhooks = app.MapGroup("/v1/webhooks").WithTags("Webhooks").RequireAuthorization(Roles.Admin);
        webhooks.MapPost("/", CreateAsync).WithSummary("Subscribe a URL to events (the signing secret is shown once)");
        webhooks.MapGet("/", ListAsync).WithSummary("List subscriptions (without secrets)");
        webhooks.MapGet("/{id}", GetAsync).WithSummary("A subscription (without its secret)");
        webhooks.MapDelete("/{id}", DeleteAsync).WithSummary("Delete a subscription; its pending deliveries end in the dead letters");
        webhooks.MapGet("/deliveries", DeliveriesAsync).WithSummary("Deliveries, newest first: ?state=pending|delivered|dead&subscription=&limit=");
        webhooks.MapGet("/deliveries/{id}", DeliveryAsync).WithSummary("One delivery, with its body and its last try");
        webhooks.MapGet("/dead-letters", DeadLettersAsync).WithSummary("Deliveries that failed every try, newest first");
        webhooks.MapPost("/deliveries/{id}/replay", ReplayAsync).WithSummary("Send a dead delivery again (same id and body); answers at once");
        return app;
    }

    public sealed record SubscriptionRequest(
        string? TargetUrl, string? Secret, List<string>? SourceIds, List<string>? ArticleIds, List<string>? EventKinds);

    public sealed record SubscriptionView(
        string Id, string TargetUrl, IReadOnlyList<string> SourceIds, IReadOnlyList<string> ArticleIds, IReadOnlyList<string> EventKinds,
        DateTimeOffset CreatedAt)
    {
        public static SubscriptionView Of(WebhookSubscription s) => new(s.Id, s.TargetUrl, s.SourceIds, s.ArticleIds, s.EventKinds, s.CreatedAt);
    }

    public sealed record CreatedSubscription(
        string Id, string TargetUrl, string Secret, IReadOnlyList<string> SourceIds, IReadOnlyList<string> ArticleIds,
        IReadOnlyList<string> EventKinds, DateTimeOffset CreatedAt);

    public sealed record DeliveryView(
        string Id, string SubscriptionId, string EventKind, string State, int Attempts, int? LastStatus, string? LastError,
        DateTimeOffset CreatedAt, DateTimeOffset? LastAttemptAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt, string Body)
    {
        public static DeliveryView Of(WebhookDelivery d) =>
            new(d.Id, d.SubscriptionId, d.EventKind, d.State.ToString().ToLowerInvariant(), d.Attempts, d.LastStatus, d.LastError,
                d.CreatedAt, d.LastAttemptAt, d.State == DeliveryState.Pending ? d.NextAttemptAt : null, d.DeliveredAt, d.Body);
    }

    private static async Task<Results<Created<CreatedSubscription>, ProblemHttpResult>> CreateAsync(
        SubscriptionRequest request, WebhookSubscriptionStore store, CancellationToken cancellationToken)
    {
        var errors = new RequestErrors();
        var target = errors.Url("targetUrl", request.TargetUrl);
        if (target is null && request.TargetUrl is null)
        {
            errors.Add("targetUrl", "This field is required.");
        }

        if (errors.Optional("secret", request.Secret) is { Length: < MinSecretLength })
        {
            errors.Add("secret", $"At least {MinSecretLength} characters, or leave it out to have one generated.");
        }

        var sourceIds = Filter(errors, "sourceIds", request.SourceIds);
        var articleIds = Filter(errors, "articleIds", request.ArticleIds);
        var kinds = Filter(errors, "eventKinds", request.EventKinds);
        for (var i = 0; i < kinds.Count; i++)
        {
            if (!EventKinds.Contains(kinds[i], StringComparer.Ordinal))
            {
                errors.Add($"eventKinds[{i}]", $"The event kind must be one of: {string.Join(", ", EventKinds)}.");
            }
        }

        if (errors.Any)
        {
            return Problems.Invalid(errors.ToDictionary());
        }

        try
        {
            var created = await store.CreateAsync(
                new NewWebhookSubscription(target!) { Secret = request.Secret, SourceIds = sourceIds, ArticleIds = articleIds, EventKinds = kinds },
                cancellationToken);
            return TypedResults.Created($"/v1/webhooks/{created.Id}", new CreatedSubscription(
                created.Id, created.TargetUrl, created.Secret, created.SourceIds, created.ArticleIds, created.EventKinds, created.CreatedAt));
        }
        catch (ArgumentException e)
        {
            // The outbound address rule: a loopback, private or metadata address is no webhook target.
            return Problems.Invalid(new Dictionary<string, string[]> { ["targetUrl"] = [e.Message] });
        }
    }

    private static async Task<Ok<SubscriptionView[]>> ListAsync(WebhookSubscriptionStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok((await store.ListAsync(cancellationToken)).Select(SubscriptionView.Of).ToArray());

    private static async Task<Results<Ok<SubscriptionView>, ProblemHttpResult>> GetAsync(
        string id, WebhookSubscriptionStore store, CancellationToken cancellationToken) =>
        await store.GetAsync(id, cancellationToken) is { } subscription
            ? TypedResults.Ok(SubscriptionView.Of(subscription))
            : UnknownSubscription(id);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string id, WebhookSubscriptionStore store, CancellationToken cancellationToken) =>
        await store.DeleteAsync(id, cancellationToken) ? TypedResults.NoContent() : UnknownSubscription(id);

    private static async Task<Results<Ok<DeliveryView[]>, ProblemHttpResult>> DeliveriesAsync(
        string? state, string? subscription, int? limit, WebhookDeliveryStore deliveries, CancellationToken cancellationToken)
    {
        var errors = new RequestErrors();
        DeliveryState? parsed = null;
        if (state is not null)
        {
            if (Vocabulary.TryWord<DeliveryState>(state, out var s))
            {
                parsed = s;
            }
            else
            {
                errors.Add("state", "The state must be one of: pending, delivered, dead.");
            }
        }

        errors.Optional("subscription", subscription);
        var take = Limit(errors, limit);
        if (errors.Any)
        {
            return Problems.Invalid(errors.ToDictionary());
        }

        var found = await deliveries.ListAsync(parsed, subscription, take, cancellationToken);
        return TypedResults.Ok(found.Select(DeliveryView.Of).ToArray());
    }

    private static async Task<Results<Ok<DeliveryView>, ProblemHttpResult>> DeliveryAsync(
        string id, WebhookDeliveryStore deliveries, CancellationToken cancellationToken) =>
        await deliveries.GetAsync(id, cancellationToken) is { } delivery
            ? TypedResults.Ok(DeliveryView.Of(delivery))
            : UnknownDelivery(id);

    private static async Task<Results<Ok<DeliveryView[]>, ProblemHttpResult>> DeadLettersAsync(
        int? limit, WebhookDeliveryStore deliveries, CancellationToken cancellationToken)
    {
        var errors = new RequestErrors();
        var take = Limit(errors, limit);
        return errors.Any
            ? Problems.Invalid(errors.ToDictionary())
            : TypedResults.Ok((await deliveries.DeadLettersAsync(take, cancellationToken)).Select(DeliveryView.Of).ToArray());
    }

    private static async Task<Results<Accepted<DeliveryView>, ProblemHttpResult>> ReplayAsync(
        string id, WebhookDispatcher dispatcher, CancellationToken cancellationToken)
    {
        try
        {
            if (await dispatcher.RequeueAsync(id, cancellationToken) is not { } pending)
            {
                return UnknownDelivery(id);
            }

            // The background sender makes the new round of tries; the delivery's record shows how it ends.
            dispatcher.Queue([pending]);
            return TypedResults.Accepted($"/v1/webhooks/deliveries/{id}", DeliveryView.Of(pending));
        }
        catch (InvalidOperationException e)
        {
            return TypedResults.Problem(title: "Not a dead delivery", detail: e.Message, statusCode: StatusCodes.Status409Conflict);
        }
    }

    private static List<string> Filter(RequestErrors errors, string field, List<string>? values)
    {
        var list = values ?? [];
        if (list.Count > MaxFilterValues)
        {
            errors.Add(field, $"At most {MaxFilterValues} values.");
        }

        for (var i = 0; i < list.Count; i++)
        {
            errors.Required($"{field}[{i}]", list[i]);
        }

        return [.. list.Distinct(StringComparer.Ordinal)];
    }

    private static int Limit(RequestErrors errors, int? limit)
    {
        if (limit is { } n and (< 1 or > 1_000))
        {
            errors.Add("limit", "Between 1 and 1000.");
        }

        return limit ?? 100;
    }

    private static ProblemHttpResult UnknownSubscription(string id) => Problems.NotFound($"No webhook subscription has the id '{id}'.");

    private static ProblemHttpResult UnknownDelivery(string id) => Problems.NotFound($"No webhook delivery has the id '{id}'.");
}
