using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;

namespace Reliability.Api.Apis;

/// <summary>
/// A 200 answer written from JSON made once, with the HTTP serializer's own options, so the bytes
/// are the ones <c>TypedResults.Ok(value)</c> writes. An answer that is read far more often than it
/// changes (a live score, which badges poll) is kept with its JSON and not serialized again on every
/// request, nor hashed again for its entity tag. It declares itself to the OpenAPI document exactly as
/// <c>Ok&lt;T&gt;</c> does.
/// </summary>
internal sealed class KeptJson<T> : IKeptBody, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult<T>, IValueHttpResult
    where T : notnull
{
    private readonly byte[] _json;
    private string? _entityTag;

    private KeptJson(T value, byte[] json)
    {
        Value = value;
        _json = json;
    }

    public static KeptJson<T> Of(T value, JsonSerializerOptions options) => new(value, JsonSerializer.SerializeToUtf8Bytes(value, options));

    public T Value { get; }

    object? IValueHttpResult.Value => Value;

    public int? StatusCode => StatusCodes.Status200OK;

    // Worked out on first use and kept with the bytes; two requests racing to it compute the same tag.
    public string EntityTag => _entityTag ??= ConditionalGet.TagOf(_json);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => PopulateMetadataOf<Ok<T>>(method, builder);

    private static void PopulateMetadataOf<TResult>(MethodInfo method, EndpointBuilder builder) where TResult : IEndpointMetadataProvider =>
        TResult.PopulateMetadata(method, builder);

    public Task ExecuteAsync(HttpContext httpContext) => JsonBytes.WriteAsync(httpContext, _json);
}
