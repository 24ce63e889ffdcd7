using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using static Reliability.Api.Apis.LookupApi;

namespace Reliability.Api.Apis;

/// <summary>
/// Writes a present-time lookup answer from JSON made once per item, when the item is kept in the
/// read cache. Almost every item of a lookup comes from the cache, and serializing the ~50 items of
/// an answer afresh on every request took most of the endpoint's CPU. The bytes are the HTTP
/// serializer's own (same options, same metadata), so the answer is byte for byte what
/// <c>TypedResults.Ok(result)</c> writes; only the item's input, the one field that differs between
/// two spellings of the same post, is written per request.
/// </summary>
internal sealed class LookupJson
{
    private const string Probe = "\"<probe>\" &+'\\ é 🇲🇱";

    private readonly JsonTypeInfo<LookupItem> _item;
    private readonly JsonSerializerOptions _options;

    // {"asOf":null,"items":[   ]}   {"input":
    private readonly byte[] _open = [];
    private readonly byte[] _close = [];
    private readonly byte[] _itemOpen = [];
    private readonly int _emptyInputLength;
    private readonly byte[] _unknownTail = [];

    public LookupJson(IOptions<JsonOptions> options)
    {
        _options = options.Value.SerializerOptions;
        _options.MakeReadOnly(populateMissingResolver: true);
        _item = (JsonTypeInfo<LookupItem>)_options.GetTypeInfo(typeof(LookupItem));

        // The pieces around the items and the input are cut from the serializer's own output; the
        // probe answer below says whether the cut is right for these options (input first, no
        // indentation). If it is not, every answer is written by the serializer as before.
        var empty = JsonSerializer.SerializeToUtf8Bytes(new LookupResult(null, []), _options);
        var items = empty.AsSpan().IndexOf("[]"u8);
        var withoutInput = JsonSerializer.SerializeToUtf8Bytes(Unknown(""), _item);
        var input = withoutInput.AsSpan().IndexOf("\"\""u8);
        if (items < 0 || input < 0)
        {
            return;
        }

        _open = empty[..(items + 1)];
        _close = empty[(items + 1)..];
        _itemOpen = withoutInput[..input];
        _emptyInputLength = input + 2;
        _unknownTail = TailOf(Unknown(""));

        LookupItem[] probe = [Unknown(Probe), Unknown("https://x.com/a/status/1"), Unknown("")];
        var expected = JsonSerializer.SerializeToUtf8Bytes(new LookupResult(null, probe), _options);
        var (inputs, tails) = (probe.Select(p => EncodeInput(p.Input)).ToArray(), probe.Select(TailOf).ToArray());
        var written = new byte[LengthOf(inputs, tails)];
        var writer = new SpanWriter(written);
        Write(ref writer, inputs, tails);
        Enabled = written.AsSpan().SequenceEqual(expected);
    }

    /// <summary>Whether answers are written from kept JSON; otherwise the serializer writes each answer.</summary>
    public bool Enabled { get; }

    public static LookupItem Unknown(string input) => new(input, "unknown", null, null, []);

    /// <summary>The JSON of an item, made once and written for every answer that shows it.</summary>
    public ItemJson Of(LookupItem item) => new(EncodeInput(item.Input), TailOf(item));

    /// <summary>The JSON of an item the record does not know.</summary>
    public ItemJson OfUnknown(string input) => new(EncodeInput(input), _unknownTail);

    /// <summary>An item's JSON after its input (from the comma on): the same for every spelling of what was asked.</summary>
    private byte[] TailOf(LookupItem item)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(item with { Input = "" }, _item);
        return json[_emptyInputLength..];
    }

    /// <summary>
    /// An item's whole JSON under <paramref name="input"/>, as an answer writes it, for an item served
    /// again and again under that input. Empty when answers are not written from kept JSON.
    /// </summary>
    public byte[] Whole(string input, ItemJson json)
    {
        if (!Enabled)
        {
            return [];
        }

        var encoded = EncodeInput(input);
        var whole = new byte[ItemLength(encoded, json.Tail)];
        var writer = new SpanWriter(whole);
        WriteItem(ref writer, encoded, json.Tail);
        return whole;
    }

    private byte[] EncodeInput(string input) => JsonEncodedText.Encode(input, _options.Encoder).EncodedUtf8Bytes.ToArray();

    /// <summary>
    /// A present-time answer (<c>asOf</c> null): each item under the input it was asked as, from its
    /// whole JSON under that input where it was served before (<paramref name="served"/>, see
    /// <see cref="Whole"/>), else from its JSON where known (made for <see cref="LookupItem.Input"/>,
    /// which may be another spelling), else from the item.
    /// </summary>
    public async Task WriteAsync(
        HttpContext context, IReadOnlyList<string> inputs, IReadOnlyList<LookupItem> items, IReadOnlyList<ItemJson?> kept, IReadOnlyList<byte[]?> served)
    {
        // An item served whole has no input of its own here: its "tail" is the whole item.
        var encoded = new byte[]?[inputs.Count];
        var tails = new byte[inputs.Count][];
        for (var i = 0; i < encoded.Length; i++)
        {
            if (served[i] is { Length: > 0 } whole)
            {
                tails[i] = whole;
                continue;
            }

            var json = kept[i] ?? Of(items[i]);
            encoded[i] = string.Equals(inputs[i], items[i].Input, StringComparison.Ordinal) ? json.Input : EncodeInput(inputs[i]);
            tails[i] = json.Tail;
        }

        var length = LengthOf(encoded, tails);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = length;

        // One write of the whole answer: each small write to the response takes the connection's
        // output lock, which the socket sender holds as often.
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var writer = new SpanWriter(buffer);
            Write(ref writer, encoded, tails);
            await response.Body.WriteAsync(buffer.AsMemory(0, length), context.RequestAborted);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private int LengthOf(byte[]?[] inputs, byte[][] tails)
    {
        var length = _open.Length + _close.Length + Math.Max(0, inputs.Length - 1);
        for (var i = 0; i < inputs.Length; i++)
        {
            length += inputs[i] is { } input ? ItemLength(input, tails[i]) : tails[i].Length;
        }

        return length;
    }

    private int ItemLength(byte[] input, byte[] tail) => _itemOpen.Length + input.Length + 2 + tail.Length;

    private void Write(ref SpanWriter writer, byte[]?[] inputs, byte[][] tails)
    {
        writer.Write(_open);
        for (var i = 0; i < inputs.Length; i++)
        {
            if (i > 0)
            {
                writer.Write(","u8);
            }

            if (inputs[i] is { } input)
            {
                WriteItem(ref writer, input, tails[i]);
            }
            else
            {
                writer.Write(tails[i]);
            }
        }

        writer.Write(_close);
    }

    private void WriteItem(ref SpanWriter writer, byte[] input, byte[] tail)
    {
        writer.Write(_itemOpen);
        writer.Write("\""u8);
        writer.Write(input);
        writer.Write("\""u8);
        writer.Write(tail);
    }

    /// <summary>Appends to a buffer already sized for everything written.</summary>
    private ref struct SpanWriter(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;

        private int _written;

        public void Write(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_buffer[_written..]);
            _written += bytes.Length;
        }
    }
}

/// <summary>An item's input as the content of a JSON string, and its JSON after the input (from the comma on).</summary>
internal sealed record ItemJson(byte[] Input, byte[] Tail);
