using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Replication.Bson;

/// <summary>
/// Extended JSON (canonical, relaxed, and the legacy <c>{"$binary": "…", "$type": "…"}</c> and <c>$uuid</c> forms)
/// → BSON in one pass of a <see cref="Utf8JsonReader"/> straight into a <see cref="BsonWriter"/>. An object whose
/// first key starts with '$' is probed with a copy of the reader to learn its key set before anything is written,
/// because type-wrapper keys may come in any order.
/// </summary>
internal ref struct ExtendedJsonParser
{
    // JSON nesting the parser accepts; the spec asks for at least 200.
    public const int MaxDepth = 256;

    private Utf8JsonReader _reader;
    private BsonWriter _writer;
    private byte[] _scratch;

    private ExtendedJsonParser(ReadOnlySpan<byte> utf8Json, BsonWriter writer)
    {
        _reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = MaxDepth });
        _writer = writer;
        _scratch = [];
    }

    /// <summary>Parses one JSON object into <paramref name="writer"/>: a top-level document, or the value of its pending name.</summary>
    public static void Parse(ReadOnlySpan<byte> utf8Json, BsonWriter writer)
    {
        var parser = new ExtendedJsonParser(utf8Json, writer);
        try
        {
            parser.ParseRoot();
        }
        catch (JsonException e)
        {
            throw new ExtendedJsonException($"not valid JSON: {e.Message}", parser._reader.BytesConsumed, e);
        }
        catch (InvalidOperationException e)
        {
            // The reader's own complaints (e.g. a lone surrogate escape) and the writer's (nesting too deep).
            throw new ExtendedJsonException(e.Message, parser._reader.TokenStartIndex, e);
        }
        finally
        {
            if (parser._scratch.Length > 0) ArrayPool<byte>.Shared.Return(parser._scratch);
        }
    }

    private void ParseRoot()
    {
        if (!_reader.Read() || _reader.TokenType != JsonTokenType.StartObject)
            throw Error("Extended JSON must be a JSON object at the top level");
        // The top-level object is always a document, whatever its keys.
        ParseDocumentBody(checkWrapperKeys: false);
        if (_reader.Read()) throw Error("content follows the top-level object");
    }

    // ---- documents, arrays, values ----

    // Reader at StartObject; writes a document and leaves the reader at its EndObject.
    private void ParseDocumentBody(bool checkWrapperKeys)
    {
        _writer.WriteStartDocument();
        while (Next() == JsonTokenType.PropertyName)
        {
            var name = Unescaped();
            if (name.Contains((byte)0)) throw Error("a field name contains a NUL character");
            if (checkWrapperKeys && name.Length > 1 && name[0] == '$' && (Classify(name) & Key.Wrapper) != 0)
                throw Error($"'{Encoding.UTF8.GetString(name)}' marks a type wrapper, which cannot have other keys");
            _writer.WriteName(name);
            Next();
            ParseValue();
        }
        _writer.WriteEndDocument();
    }

    private void ParseValue()
    {
        switch (_reader.TokenType)
        {
            case JsonTokenType.String:
                _writer.WriteStringUtf8(Unescaped());
                break;
            case JsonTokenType.Number:
                ParseNumber();
                break;
            case JsonTokenType.True:
                _writer.WriteBoolean(true);
                break;
            case JsonTokenType.False:
                _writer.WriteBoolean(false);
                break;
            case JsonTokenType.Null:
                _writer.WriteNull();
                break;
            case JsonTokenType.StartArray:
                _writer.WriteStartArray();
                while (Next() != JsonTokenType.EndArray) ParseValue();
                _writer.WriteEndArray();
                break;
            case JsonTokenType.StartObject:
                ParseObject();
                break;
            default:
                throw Error($"unexpected {_reader.TokenType}");
        }
    }

    // Relaxed numbers: integers take the smallest integer type that holds them, anything else is a double.
    private void ParseNumber()
    {
        var raw = _reader.ValueSpan;
        if (raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0)
        {
            if (int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i32))
            {
                _writer.WriteInt32(i32);
                return;
            }
            if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i64))
            {
                _writer.WriteInt64(i64);
                return;
            }
        }
        _writer.WriteDouble(double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture));
    }

    // Reader at StartObject of a nested object: a type wrapper or an embedded document.
    private void ParseObject()
    {
        // Only a wrapper key (or "$type", which may pair with a legacy "$binary") can open a type wrapper. Any other
        // first key makes a document, in which a wrapper key turning up later is an error.
        var probe = _reader;
        if (!probe.Read() || probe.TokenType != JsonTokenType.PropertyName || Classify(ref probe) == Key.None)
        {
            ParseDocumentBody(checkWrapperKeys: true);
            return;
        }

        var keys = Key.None;
        var count = 0;
        do
        {
            var key = Classify(ref probe);
            if ((keys & key & Key.Wrapper) != 0) throw Error("a type wrapper key appears twice");
            keys |= key;
            count++;
            probe.Skip();
        }
        while (probe.Read() && probe.TokenType == JsonTokenType.PropertyName);

        if ((keys & Key.Wrapper) == 0)
        {
            // "$type" without "$binary" is the query operator: the object stays a document.
            ParseDocumentBody(checkWrapperKeys: true);
            return;
        }

        var known = System.Numerics.BitOperations.PopCount((uint)keys);
        if (keys == (Key.Binary | Key.Type) && count == 2) ParseLegacyBinary();
        else if (keys == (Key.Code | Key.Scope) && count == 2) ParseCodeWithScope();
        else if (count != 1 || known != 1) throw Error(WrapperKeysMessage(keys));
        else ParseWrapper(keys);
    }

    private static string WrapperKeysMessage(Key keys)
    {
        var wrapper = keys & Key.Wrapper;
        if ((wrapper & (wrapper - 1)) != 0) return $"keys of different type wrappers are mixed: {wrapper}";
        return wrapper == Key.Scope
            ? "'$scope' needs '$code' beside it"
            : $"the ${char.ToLowerInvariant(wrapper.ToString()[0])}{wrapper.ToString()[1..]} type wrapper has extra or missing keys";
    }

    // Reader at StartObject of a single-key wrapper; leaves it at the wrapper's EndObject.
    private void ParseWrapper(Key key)
    {
        Next(); // the key
        Next(); // its value
        switch (key)
        {
            case Key.Oid:
                _writer.WriteObjectId(ReadObjectIdText());
                break;
            case Key.Symbol:
                _writer.WriteSymbol(RequireString("$symbol"));
                break;
            case Key.NumberInt:
            {
                var text = RequireStringUtf8("$numberInt");
                if (!IsInteger(text) || !int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
                    throw Error($"$numberInt '{Encoding.UTF8.GetString(text)}' is not a 32-bit integer");
                _writer.WriteInt32(v);
                break;
            }
            case Key.NumberLong:
                _writer.WriteInt64(ReadInt64Text("$numberLong"));
                break;
            case Key.NumberDouble:
                _writer.WriteDouble(ReadDoubleText());
                break;
            case Key.NumberDecimal:
            {
                Span<char> buffer = stackalloc char[ShortTextLength];
                var text = Decode(RequireStringUtf8("$numberDecimal"), buffer);
                if (!Decimal128.TryParse(text, out var d)) throw Error($"$numberDecimal '{text}' is not a decimal128 that can be stored exactly");
                _writer.WriteDecimal128(d);
                break;
            }
            case Key.Binary:
                ParseCanonicalBinary();
                break;
            case Key.Uuid:
                _writer.WriteBinary(ReadUuid(), 0x04);
                break;
            case Key.Code:
                _writer.WriteJavaScript(RequireString("$code"));
                break;
            case Key.Timestamp:
                ParseTimestamp();
                break;
            case Key.RegularExpression:
                ParseRegularExpression();
                break;
            case Key.DbPointer:
                ParseDbPointer();
                break;
            case Key.Date:
                _writer.WriteDateTime(ReadDate());
                break;
            case Key.MinKey:
            case Key.MaxKey:
                if (_reader.TokenType != JsonTokenType.Number || !_reader.ValueSpan.SequenceEqual("1"u8))
                    throw Error($"{(key == Key.MinKey ? "$minKey" : "$maxKey")} must be the number 1");
                if (key == Key.MinKey) _writer.WriteMinKey();
                else _writer.WriteMaxKey();
                break;
            case Key.Undefined:
                if (_reader.TokenType != JsonTokenType.True) throw Error("$undefined must be true");
                _writer.WriteUndefined();
                break;
            default:
                throw Error($"unsupported type wrapper {key}");
        }
        if (Next() != JsonTokenType.EndObject) throw Error("a type wrapper has extra keys");
    }

    // {"$binary": {"base64": "…", "subType": "hh"}}, inner keys in any order.
    private void ParseCanonicalBinary()
    {
        if (_reader.TokenType != JsonTokenType.StartObject) throw Error("$binary must be an object with 'base64' and 'subType' (or a string beside '$type')");
        byte[]? data = null;
        int subtype = -1;
        while (Next() == JsonTokenType.PropertyName)
        {
            if (_reader.ValueTextEquals("base64"u8) && data is null)
            {
                Next();
                data = ReadBase64("$binary.base64");
            }
            else if (_reader.ValueTextEquals("subType"u8) && subtype < 0)
            {
                Next();
                subtype = ReadSubtype("$binary.subType");
            }
            else throw Error("$binary allows only 'base64' and 'subType', each once");
        }
        if (data is null || subtype < 0) throw Error("$binary needs both 'base64' and 'subType'");
        _writer.WriteBinary(data, (byte)subtype);
    }

    // The pre-v2 form {"$binary": "<base64>", "$type": "<hex>"}, keys in any order; reader at StartObject.
    private void ParseLegacyBinary()
    {
        byte[]? data = null;
        var subtype = -1;
        while (Next() == JsonTokenType.PropertyName)
        {
            var isData = _reader.ValueTextEquals("$binary"u8);
            Next();
            if (isData) data = ReadBase64("$binary");
            else subtype = ReadSubtype("$type");
        }
        _writer.WriteBinary(data!, (byte)subtype);
    }

    private void ParseCodeWithScope()
    {
        string? code = null;
        byte[]? scope = null;
        while (Next() == JsonTokenType.PropertyName)
        {
            if (_reader.ValueTextEquals("$code"u8))
            {
                Next();
                code = RequireString("$code");
            }
            else
            {
                Next();
                if (_reader.TokenType != JsonTokenType.StartObject) throw Error("$scope must be a document");
                // The scope is a complete document of its own, written aside and embedded whole.
                var outer = _writer;
                using var scopeWriter = new BsonWriter();
                _writer = scopeWriter;
                try
                {
                    ParseDocumentBody(checkWrapperKeys: true);
                }
                finally
                {
                    _writer = outer;
                }
                scope = scopeWriter.ToArray();
            }
        }
        _writer.WriteJavaScriptWithScope(code!, scope!);
    }

    private void ParseTimestamp()
    {
        if (_reader.TokenType != JsonTokenType.StartObject) throw Error("$timestamp must be an object with 't' and 'i'");
        uint? t = null, i = null;
        while (Next() == JsonTokenType.PropertyName)
        {
            var isT = _reader.ValueTextEquals("t"u8);
            if (!isT && !_reader.ValueTextEquals("i"u8) || (isT ? t : i) is not null) throw Error("$timestamp allows only 't' and 'i', each once");
            Next();
            if (_reader.TokenType != JsonTokenType.Number || !IsInteger(_reader.ValueSpan) || !_reader.TryGetUInt32(out var v))
                throw Error($"$timestamp.{(isT ? 't' : 'i')} must be an unsigned 32-bit integer");
            if (isT) t = v;
            else i = v;
        }
        if (t is null || i is null) throw Error("$timestamp needs both 't' and 'i'");
        _writer.WriteTimestamp(t.Value, i.Value);
    }

    private void ParseRegularExpression()
    {
        if (_reader.TokenType != JsonTokenType.StartObject) throw Error("$regularExpression must be an object with 'pattern' and 'options'");
        string? pattern = null, options = null;
        while (Next() == JsonTokenType.PropertyName)
        {
            var isPattern = _reader.ValueTextEquals("pattern"u8);
            if (!isPattern && !_reader.ValueTextEquals("options"u8) || (isPattern ? pattern : options) is not null)
                throw Error("$regularExpression allows only 'pattern' and 'options', each once");
            Next();
            var text = RequireString(isPattern ? "$regularExpression.pattern" : "$regularExpression.options");
            if (text.Contains('\0')) throw Error($"$regularExpression.{(isPattern ? "pattern" : "options")} contains a NUL character");
            if (isPattern) pattern = text;
            else options = text;
        }
        if (pattern is null || options is null) throw Error("$regularExpression needs both 'pattern' and 'options'");
        _writer.WriteRegularExpression(pattern, options);
    }

    private void ParseDbPointer()
    {
        if (_reader.TokenType != JsonTokenType.StartObject) throw Error("$dbPointer must be an object with '$ref' and '$id'");
        string? ns = null;
        ObjectId? id = null;
        while (Next() == JsonTokenType.PropertyName)
        {
            if (_reader.ValueTextEquals("$ref"u8) && ns is null)
            {
                Next();
                ns = RequireString("$dbPointer.$ref");
            }
            else if (_reader.ValueTextEquals("$id"u8) && id is null)
            {
                Next();
                if (_reader.TokenType != JsonTokenType.StartObject || Next() != JsonTokenType.PropertyName || !_reader.ValueTextEquals("$oid"u8))
                    throw Error("$dbPointer.$id must be an {\"$oid\": …} ObjectId");
                Next();
                id = ReadObjectIdText();
                if (Next() != JsonTokenType.EndObject) throw Error("$dbPointer.$id must be an {\"$oid\": …} ObjectId");
            }
            else throw Error("$dbPointer allows only '$ref' and '$id', each once");
        }
        if (ns is null || id is null) throw Error("$dbPointer needs both '$ref' and '$id'");
        _writer.WriteDbPointer(ns, id.Value);
    }

    // {"$date": "<ISO-8601>"} or {"$date": {"$numberLong": "<ms>"}}.
    private long ReadDate()
    {
        if (_reader.TokenType == JsonTokenType.StartObject)
        {
            if (Next() != JsonTokenType.PropertyName || !_reader.ValueTextEquals("$numberLong"u8))
                throw Error("$date as an object must be {\"$numberLong\": \"<milliseconds>\"}");
            Next();
            var ms = ReadInt64Text("$date.$numberLong");
            if (Next() != JsonTokenType.EndObject) throw Error("$date as an object must be {\"$numberLong\": \"<milliseconds>\"} only");
            return ms;
        }
        Span<char> buffer = stackalloc char[ShortTextLength];
        var text = Decode(RequireStringUtf8("$date"), buffer);
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            || text.Length < 10 || text[4] != '-')
            throw Error($"$date '{text}' is not an ISO-8601 date-time");
        // Floor, so a sub-millisecond instant before the epoch lands on the millisecond that contains it.
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var whole = ticks / TimeSpan.TicksPerMillisecond;
        return ticks % TimeSpan.TicksPerMillisecond < 0 ? whole - 1 : whole;
    }

    // ---- scalar readers ----

    private ObjectId ReadObjectIdText()
    {
        Span<char> buffer = stackalloc char[ShortTextLength];
        var text = Decode(RequireStringUtf8("$oid"), buffer);
        if (!ObjectId.TryParse(text, out var id)) throw Error($"$oid '{text}' is not 24 hexadecimal digits");
        return id;
    }

    private long ReadInt64Text(string what)
    {
        var text = RequireStringUtf8(what);
        if (!IsInteger(text) || !long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
            throw Error($"{what} '{Encoding.UTF8.GetString(text)}' is not a 64-bit integer");
        return v;
    }

    private double ReadDoubleText()
    {
        var text = RequireStringUtf8("$numberDouble");
        if (text.SequenceEqual("Infinity"u8)) return double.PositiveInfinity;
        if (text.SequenceEqual("-Infinity"u8)) return double.NegativeInfinity;
        if (text.SequenceEqual("NaN"u8)) return double.NaN;
        // Only decimal notation: .NET would also take "∞" or "nan" spelled other ways.
        if (text.IsEmpty || text.IndexOfAnyExcept("0123456789+-.eE"u8) >= 0
            || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
            throw Error($"$numberDouble '{Encoding.UTF8.GetString(text)}' is not a number, Infinity, -Infinity or NaN");
        return v;
    }

    private byte[] ReadBase64(string what)
    {
        if (_reader.TokenType != JsonTokenType.String || !_reader.TryGetBytesFromBase64(out var data))
            throw Error($"{what} must be a base64 string");
        return data;
    }

    private int ReadSubtype(string what)
    {
        var text = RequireStringUtf8(what);
        if (text.Length is < 1 or > 2 || !byte.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var subtype))
            throw Error($"{what} must be one or two hexadecimal digits");
        return subtype;
    }

    // "73ffd264-44b3-4c69-90e8-e7d1dfc035d4", or the same 32 digits without hyphens.
    private byte[] ReadUuid()
    {
        var text = RequireString("$uuid");
        Span<char> hex = stackalloc char[32];
        var n = 0;
        var hyphenated = text.Length == 36;
        if (!hyphenated && text.Length != 32) throw Error($"$uuid '{text}' is not a UUID");
        for (var i = 0; i < text.Length; i++)
        {
            if (hyphenated && i is 8 or 13 or 18 or 23)
            {
                if (text[i] != '-') throw Error($"$uuid '{text}' is not a UUID");
                continue;
            }
            if (!char.IsAsciiHexDigit(text[i])) throw Error($"$uuid '{text}' is not a UUID");
            hex[n++] = text[i];
        }
        return Convert.FromHexString(hex);
    }

    private string RequireString(string what)
    {
        if (_reader.TokenType != JsonTokenType.String) throw Error($"{what} must be a string, not {_reader.TokenType}");
        return Encoding.UTF8.GetString(Unescaped());
    }

    // Values of wrappers that are short text ($oid, $date, $numberDecimal) are decoded on the stack; longer text
    // cannot be valid for them, so it is only copied out to be named in the error.
    private const int ShortTextLength = 96;

    private static ReadOnlySpan<char> Decode(ReadOnlySpan<byte> utf8, Span<char> buffer) =>
        utf8.Length > buffer.Length ? Encoding.UTF8.GetString(utf8) : buffer[..Encoding.UTF8.GetChars(utf8, buffer)];

    private ReadOnlySpan<byte> RequireStringUtf8(string what)
    {
        if (_reader.TokenType != JsonTokenType.String) throw Error($"{what} must be a string, not {_reader.TokenType}");
        return Unescaped();
    }

    private static bool IsInteger(ReadOnlySpan<byte> text)
    {
        if (!text.IsEmpty && text[0] == '-') text = text[1..];
        return !text.IsEmpty && text.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;
    }

    // ---- reader plumbing ----

    private JsonTokenType Next()
    {
        if (!_reader.Read()) throw Error("the JSON ends early");
        return _reader.TokenType;
    }

    // The current string or property name as UTF-8 without escapes; valid until the next call.
    private ReadOnlySpan<byte> Unescaped()
    {
        ReadOnlySpan<byte> value;
        if (!_reader.ValueIsEscaped && !_reader.HasValueSequence) value = _reader.ValueSpan;
        else
        {
            var need = _reader.HasValueSequence ? checked((int)_reader.ValueSequence.Length) : _reader.ValueSpan.Length;
            if (_scratch.Length < need)
            {
                if (_scratch.Length > 0) ArrayPool<byte>.Shared.Return(_scratch);
                _scratch = ArrayPool<byte>.Shared.Rent(Math.Max(need, 256));
            }
            value = _scratch.AsSpan(0, _reader.CopyString(_scratch));
        }
        if (!Utf8.IsValid(value)) throw Error("a string is not valid UTF-8");
        return value;
    }

    private ExtendedJsonException Error(string message) => new(message, _reader.TokenStartIndex);

    [Flags]
    private enum Key : uint
    {
        None = 0,
        Oid = 1 << 0,
        Symbol = 1 << 1,
        NumberInt = 1 << 2,
        NumberLong = 1 << 3,
        NumberDouble = 1 << 4,
        NumberDecimal = 1 << 5,
        Binary = 1 << 6,
        Code = 1 << 7,
        Scope = 1 << 8,
        Timestamp = 1 << 9,
        RegularExpression = 1 << 10,
        DbPointer = 1 << 11,
        Date = 1 << 12,
        MinKey = 1 << 13,
        MaxKey = 1 << 14,
        Undefined = 1 << 15,
        Uuid = 1 << 16,
        Wrapper = (1 << 17) - 1,

        // "$type" is a type-wrapper key only beside a legacy string "$binary"; alone it is the query operator.
        Type = 1 << 17,
    }

    private static Key Classify(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped)
        {
            var name = reader.GetString() ?? "";
            return Classify(Encoding.UTF8.GetBytes(name));
        }
        return Classify(reader.ValueSpan);
    }

    private static Key Classify(ReadOnlySpan<byte> name) => name switch
    {
        _ when name.Length < 4 || name[0] != '$' => Key.None,
        _ when name.SequenceEqual("$oid"u8) => Key.Oid,
        _ when name.SequenceEqual("$symbol"u8) => Key.Symbol,
        _ when name.SequenceEqual("$numberInt"u8) => Key.NumberInt,
        _ when name.SequenceEqual("$numberLong"u8) => Key.NumberLong,
        _ when name.SequenceEqual("$numberDouble"u8) => Key.NumberDouble,
        _ when name.SequenceEqual("$numberDecimal"u8) => Key.NumberDecimal,
        _ when name.SequenceEqual("$binary"u8) => Key.Binary,
        _ when name.SequenceEqual("$code"u8) => Key.Code,
        _ when name.SequenceEqual("$scope"u8) => Key.Scope,
        _ when name.SequenceEqual("$timestamp"u8) => Key.Timestamp,
        _ when name.SequenceEqual("$regularExpression"u8) => Key.RegularExpression,
        _ when name.SequenceEqual("$dbPointer"u8) => Key.DbPointer,
        _ when name.SequenceEqual("$date"u8) => Key.Date,
        _ when name.SequenceEqual("$minKey"u8) => Key.MinKey,
        _ when name.SequenceEqual("$maxKey"u8) => Key.MaxKey,
        _ when name.SequenceEqual("$undefined"u8) => Key.Undefined,
        _ when name.SequenceEqual("$uuid"u8) => Key.Uuid,
        _ when name.SequenceEqual("$type"u8) => Key.Type,
        _ => Key.None,
    };
}
