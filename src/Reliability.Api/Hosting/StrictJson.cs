using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;

namespace Reliability.Api.Hosting;

/// <summary>
/// The API reads JSON strictly: unknown fields are errors (a misspelt field must not be silently
/// dropped) and timestamps must carry their offset (a time without one is ambiguous).
/// </summary>
internal static class StrictJson
{
    public static IServiceCollection AddStrictJson(this IServiceCollection services) =>
        services.Configure<JsonOptions>(options =>
        {
            options.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            options.SerializerOptions.Converters.Add(new OffsetRequired());
            options.SerializerOptions.Converters.Add(new OptionalOffsetRequired());
        });

    public static bool TryParseTimestamp(string? text, out DateTimeOffset value)
    {
        value = default;
        return text is { Length: > 10 }
            && (text.EndsWith('Z') || text.EndsWith('z') || text[^6] is '+' or '-')
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out value);
    }

    private sealed class OffsetRequired : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String && TryParseTimestamp(reader.GetString(), out var value)
                ? value
                : throw new JsonException("Timestamps are ISO-8601 with an offset, e.g. 2023-09-28T14:05:00Z or 2023-09-28T16:05:00+02:00.");

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value);
    }

    private sealed class OptionalOffsetRequired : JsonConverter<DateTimeOffset?>
    {
        private readonly OffsetRequired _inner = new();

        public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? null : _inner.Read(ref reader, typeof(DateTimeOffset), options);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
        {
            if (value is { } v)
            {
                writer.WriteStringValue(v);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }
}
