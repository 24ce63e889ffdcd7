using System.Buffers.Text;
using System.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Reliability.Api.Apis;

/// <summary>
/// Strong entity tags for the reads a badge or panel polls, and <c>If-None-Match</c> answered with
/// 304. The tag is a hash of the very bytes the 200 carries, so it moves exactly when the body does,
/// whatever moved it: a claim, correction or resolution, a new truth estimate, another scoring
/// policy, another <c>asOf</c>, or a live score recomputed as time passes. Versions would have to
/// name every one of those, and any forgotten would hand a stale score a 304.
/// </summary>
internal static class ConditionalGet
{
    /// <summary>
    /// Caches may keep the answer but must ask again before showing it: a live score moves with
    /// time, and with writes through any node. Private: the answer is for one key holder.
    /// </summary>
    public const string CacheControl = "private, no-cache";

    /// <summary>Answers the endpoint's 200s with an <c>ETag</c>, and with 304 when the request already holds that tag.</summary>
    public static RouteHandlerBuilder WithEntityTag(this RouteHandlerBuilder endpoint) =>
        endpoint.AddEndpointFilter(TagAsync).Produces(StatusCodes.Status304NotModified);

    /// <summary>The strong tag of a body: 128 bits of its SHA-256, quoted.</summary>
    public static string TagOf(ReadOnlySpan<byte> body)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, hash);
        return "\"" + Base64Url.EncodeToString(hash[..16]) + "\"";
    }

    /// <summary>
    /// Whether <c>If-None-Match</c> names the current tag (RFC 9110 13.1.2): <c>*</c>, or a list
    /// holding it under weak comparison (a <c>W/</c> prefix is ignored). A header that does not parse
    /// names nothing, so the whole answer is sent.
    /// </summary>
    public static bool NoneMatchHolds(StringValues ifNoneMatch, string tag)
    {
        if (StringValues.IsNullOrEmpty(ifNoneMatch) || !EntityTagHeaderValue.TryParseList(ifNoneMatch, out var listed))
        {
            return false;
        }

        var current = EntityTagHeaderValue.Parse(tag);
        return listed.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(current, useStrongComparison: false));
    }

    private static async ValueTask<object?> TagAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var answer = await next(context);
        var result = answer is INestedHttpResult nested ? nested.Result : answer;
        var http = context.HttpContext;
        IKeptBody? body = result switch
        {
            IStatusCodeHttpResult { StatusCode: StatusCodes.Status200OK } and IKeptBody kept => kept,
            IStatusCodeHttpResult { StatusCode: StatusCodes.Status200OK } and IValueHttpResult { Value: { } value } =>
                new JsonBody(JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions)),
            // Text made by the endpoint in a type of its own (ClaimReview's JSON-LD): written as
            // TypedResults.Content writes it, in UTF-8, so the tag is of the bytes sent.
            ContentHttpResult { StatusCode: null or StatusCodes.Status200OK, ResponseContent: { } text, ContentType: { } type } =>
                new TextBody(Encoding.UTF8.GetBytes(text), type),
            _ => null,
        };
        if (body is null)
        {
            // Problems (404, 400) and anything not a 200 of JSON or text carry no validator: there is nothing to revalidate.
            return answer;
        }

        var headers = http.Response.Headers;
        headers.ETag = body.EntityTag;
        headers.CacheControl = CacheControl;
        return NoneMatchHolds(http.Request.Headers.IfNoneMatch, body.EntityTag)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : body;
    }
}

/// <summary>A 200 whose bytes are already made, with the strong tag of those bytes.</summary>
internal interface IKeptBody : IResult
{
    string EntityTag { get; }
}

/// <summary>JSON bytes made to be tagged, written as they are (the bytes <c>TypedResults.Ok</c> would write).</summary>
internal sealed class JsonBody(byte[] json) : IKeptBody
{
    public string EntityTag { get; } = ConditionalGet.TagOf(json);

    public Task ExecuteAsync(HttpContext httpContext) => JsonBytes.WriteAsync(httpContext, json);
}

/// <summary>A 200 of text in its own media type, written as those bytes (as <c>TypedResults.Content</c> writes them).</summary>
internal sealed class TextBody(byte[] text, string contentType) : IKeptBody
{
    public string EntityTag { get; } = ConditionalGet.TagOf(text);

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.ContentLength = text.Length;
        return response.Body.WriteAsync(text, httpContext.RequestAborted).AsTask();
    }
}

internal static class JsonBytes
{
    public static Task WriteAsync(HttpContext httpContext, byte[] json)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = json.Length;
        return response.Body.WriteAsync(json, httpContext.RequestAborted).AsTask();
    }
}
