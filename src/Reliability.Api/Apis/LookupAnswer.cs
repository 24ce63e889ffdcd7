using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using static Reliability.Api.Apis.LookupApi;

namespace Reliability.Api.Apis;

/// <summary>
/// The 200 answer of <c>POST /v1/lookup</c>. It declares itself to the OpenAPI document exactly as
/// <c>Ok&lt;LookupResult&gt;</c> does; a present-time answer is written from the JSON kept with each
/// item (<see cref="LookupJson"/>), an answer as of a past time (or as known at one) by the serializer.
/// </summary>
internal sealed class LookupAnswer : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult
{
    private readonly LookupJson _writer;
    private readonly DateTimeOffset? _asOf;
    private readonly DateTimeOffset? _knownAt;
    private readonly string[] _inputs;
    private readonly LookupItem[] _items;
    private readonly ItemJson?[] _json;
    private readonly byte[]?[] _served;

    /// <summary>
    /// Items in the order asked, each with the input it was asked as, and its JSON where known: the
    /// item's (see <see cref="LookupJson.Of"/>) or the whole item's under that input (<see cref="LookupJson.Whole"/>);
    /// <paramref name="knownAt"/>, when the answer is what the tracker knew then.
    /// </summary>
    public LookupAnswer(
        LookupJson json, DateTimeOffset? asOf, string[] inputs, LookupItem[] items, ItemJson?[] itemJson, byte[]?[] served, DateTimeOffset? knownAt = null)
    {
        _writer = json;
        _asOf = asOf;
        _knownAt = knownAt;
        _inputs = inputs;
        _items = items;
        _json = itemJson;
        _served = served;
    }

    public int? StatusCode => StatusCodes.Status200OK;

    /// <summary>The answer as the serializer sees it, with every item under the input it was asked as.</summary>
    public LookupResult Result =>
        new(_asOf, [.. _items.Select((item, i) => item.Input == _inputs[i] ? item : item with { Input = _inputs[i] })], _knownAt);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        PopulateMetadataOf<Ok<LookupResult>>(method, builder);

    private static void PopulateMetadataOf<T>(MethodInfo method, EndpointBuilder builder) where T : IEndpointMetadataProvider =>
        T.PopulateMetadata(method, builder);

    public Task ExecuteAsync(HttpContext httpContext)
    {
        if (_asOf is not null || _knownAt is not null || !_writer.Enabled)
        {
            return TypedResults.Ok(Result).ExecuteAsync(httpContext);
        }

        return _writer.WriteAsync(httpContext, _inputs, _items, _json, _served);
    }
}
