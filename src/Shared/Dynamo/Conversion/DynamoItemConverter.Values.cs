using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using System.Text.Unicode;
using Replication.Bson;

namespace Replication.Dynamo.Conversion;

// Attribute values: {"<descriptor>": <value>} → BSON, per convert mode.
public sealed partial class DynamoItemConverter
{
    private const int StackBinaryLimit = 256;

    private static void WriteAttributeName(ref Utf8JsonReader reader, BsonWriter writer)
    {
        using var name = Utf8Value.Of(ref reader);
        // Raw JSON text cannot hold a NUL byte; only an escape (\u0000) can put one into a name.
        if (name.WasEscaped && name.Span.Contains((byte)0))
            throw new ConversionFault($"the attribute name \"{Utf8Value.Printable(name.Span)}\" contains a NUL character, which BSON field names cannot hold", reader.TokenStartIndex);
        if (!Utf8.IsValid(name.Span))
            throw new ConversionFault("the attribute name is not valid UTF-8", reader.TokenStartIndex);
        writer.WriteName(name.Span);
    }

    /// <summary>The reader is on the StartObject of an AttributeValue; leaves it on that object's EndObject.</summary>
    private static void WriteValue(ref Utf8JsonReader reader, BsonWriter writer, ConvertMode mode)
    {
        var type = ReadDescriptor(ref reader);
        var raw = mode == ConvertMode.Raw;
        if (raw)
        {
            writer.WriteStartDocument();
            writer.WriteName(AttributeTypes.Descriptor(type));
        }
        Read(ref reader);
        switch (type)
        {
            case AttributeType.S:
                WriteString(ref reader, writer, type);
                break;
            case AttributeType.N:
                WriteNumber(ref reader, writer, mode);
                break;
            case AttributeType.B:
                WriteBinary(ref reader, writer, type);
                break;
            case AttributeType.Bool:
                writer.WriteBoolean(ReadBoolean(ref reader, type));
                break;
            case AttributeType.Null:
                var isNull = ReadBoolean(ref reader, type);
                if (raw) writer.WriteBoolean(isNull);
                else writer.WriteNull();
                break;
            case AttributeType.M:
                if (reader.TokenType != JsonTokenType.StartObject) throw WrongToken(ref reader, type, "an object");
                writer.WriteStartDocument();
                while (true)
                {
                    Read(ref reader);
                    if (reader.TokenType == JsonTokenType.EndObject) break;
                    WriteAttributeName(ref reader, writer);
                    Read(ref reader);
                    WriteValue(ref reader, writer, mode);
                }
                writer.WriteEndDocument();
                break;
            case AttributeType.L:
                if (reader.TokenType != JsonTokenType.StartArray) throw WrongToken(ref reader, type, "an array");
                writer.WriteStartArray();
                while (true)
                {
                    Read(ref reader);
                    if (reader.TokenType == JsonTokenType.EndArray) break;
                    WriteValue(ref reader, writer, mode);
                }
                writer.WriteEndArray();
                break;
            default:
                WriteSet(ref reader, writer, type, mode);
                break;
        }
        ExpectEndOfValue(ref reader);
        if (raw) writer.WriteEndDocument();
    }

    // SS, NS, BS: a JSON array of strings; inside Raw's {NS: […]} the numbers stay text. A set has no order, and a Scan
    // and a stream image may list one set differently: elements are written sorted by value (SetElementOrder), so the
    // same item always becomes the same document (replays and comparisons would flap otherwise).
    private static void WriteSet(ref Utf8JsonReader reader, BsonWriter writer, AttributeType type, ConvertMode mode)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw WrongToken(ref reader, type, "an array of strings");
        using var scratch = new BsonWriter(256);
        scratch.WriteStartDocument();
        scratch.WriteName("s"u8);
        scratch.WriteStartArray();
        var keys = new List<(byte[] Order, byte[] Text)>();
        while (true)
        {
            Read(ref reader);
            if (reader.TokenType == JsonTokenType.EndArray) break;
            var text = SetElementText(ref reader);
            keys.Add((SetElementOrder.Key(type, text), text));
            switch (type)
            {
                case AttributeType.SS: WriteString(ref reader, scratch, type); break;
                case AttributeType.NS: WriteNumber(ref reader, scratch, mode); break;
                default: WriteBinary(ref reader, scratch, type); break;
            }
        }
        scratch.WriteEndArray();
        scratch.WriteEndDocument();

        var elements = new List<(byte[] Order, byte[] Text, BsonType Type, byte[] Value)>(keys.Count);
        var i = 0;
        foreach (var element in new BsonDocumentReader(scratch.WrittenSpan)["s"].AsArray)
        {
            var (order, text) = keys[i++];
            elements.Add((order, text, element.Type, element.RawValue.ToArray()));
        }
        // Equal values written differently ("1", "1.0") cannot share a set in DynamoDB; the text still decides, so any order is stable.
        elements.Sort(static (a, b) => a.Order.AsSpan().SequenceCompareTo(b.Order) is var byValue and not 0
            ? byValue
            : a.Text.AsSpan().SequenceCompareTo(b.Text));
        writer.WriteStartArray();
        foreach (var (_, _, elementType, value) in elements) writer.WriteRawValue(elementType, value);
        writer.WriteEndArray();
    }

    private static byte[] SetElementText(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String) return [];
        if (!reader.ValueIsEscaped && !reader.HasValueSequence) return reader.ValueSpan.ToArray();
        var buffer = new byte[reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length];
        return buffer[..reader.CopyString(buffer)];
    }

    /// <summary>
    /// A key attribute: only S, N or B, and numbers always as in Typed mode (never through double) so that _id,
    /// filters and the stored field agree exactly between a Scan item and a stream record.
    /// </summary>
    private static void WriteKeyAttributeValue(ref Utf8JsonReader reader, BsonWriter writer, bool raw)
    {
        var descriptorOffset = reader.TokenStartIndex;
        var type = ReadDescriptor(ref reader);
        if (type is not (AttributeType.S or AttributeType.N or AttributeType.B))
            throw new ConversionFault($"a key attribute must be of type S, N or B, found {AttributeTypes.Name(type)}", descriptorOffset);
        if (raw)
        {
            writer.WriteStartDocument();
            writer.WriteName(AttributeTypes.Descriptor(type));
        }
        Read(ref reader);
        switch (type)
        {
            case AttributeType.S: WriteString(ref reader, writer, type); break;
            case AttributeType.N: WriteNumber(ref reader, writer, raw ? ConvertMode.Raw : ConvertMode.Typed); break;
            default: WriteBinary(ref reader, writer, type); break;
        }
        ExpectEndOfValue(ref reader);
        if (raw) writer.WriteEndDocument();
    }

    // From the AttributeValue's StartObject to its single descriptor.
    private static AttributeType ReadDescriptor(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new ConversionFault($"an attribute value must be an object like {{\"S\": \"…\"}}, found {Found(ref reader)}", reader.TokenStartIndex);
        Read(ref reader);
        if (reader.TokenType != JsonTokenType.PropertyName)
            throw new ConversionFault("an attribute value has no type descriptor", reader.TokenStartIndex);
        return AttributeTypes.Recognize(ref reader);
    }

    private static void ExpectEndOfValue(ref Utf8JsonReader reader)
    {
        Read(ref reader);
        if (reader.TokenType != JsonTokenType.EndObject)
            throw new ConversionFault("an attribute value has more than one type descriptor", reader.TokenStartIndex);
    }

    private static void WriteString(ref Utf8JsonReader reader, BsonWriter writer, AttributeType type)
    {
        if (reader.TokenType != JsonTokenType.String) throw WrongToken(ref reader, type, "a string");
        using var value = Utf8Value.Of(ref reader);
        // Utf8JsonReader does not check the UTF-8 of string contents; MongoDB would reject the whole batch for it.
        if (!Utf8.IsValid(value.Span)) throw new ConversionFault($"the {AttributeTypes.Name(type)} value is not valid UTF-8", reader.TokenStartIndex);
        writer.WriteStringUtf8(value.Span);
    }

    private static void WriteNumber(ref Utf8JsonReader reader, BsonWriter writer, ConvertMode mode)
    {
        if (reader.TokenType != JsonTokenType.String) throw WrongToken(ref reader, AttributeType.N, "a string holding the number");
        using var text = Utf8Value.Of(ref reader);
        switch (mode)
        {
            case ConvertMode.Raw:
                if (!Utf8.IsValid(text.Span)) throw new ConversionFault("the N value is not valid UTF-8", reader.TokenStartIndex);
                writer.WriteStringUtf8(text.Span);
                return;
            case ConvertMode.Double:
                if (!DynamoNumber.TryParseDouble(text.Span, out var d)) throw NotANumber(text.Span, reader.TokenStartIndex);
                if (!double.IsFinite(d)) throw new ConversionFault($"the number {Utf8Value.Printable(text.Span)} is beyond the range of a double", reader.TokenStartIndex);
                writer.WriteDouble(d);
                return;
        }
        if (!DynamoNumber.TryParse(text.Span, out var number)) throw NotANumber(text.Span, reader.TokenStartIndex);
        switch (number.Kind)
        {
            case NumberKind.Int32: writer.WriteInt32((int)number.Integer); break;
            case NumberKind.Int64: writer.WriteInt64(number.Integer); break;
            case NumberKind.Decimal128: writer.WriteDecimal128(number.Decimal); break;
            default: writer.WriteStringUtf8(text.Span); break; // syntax-checked above, so ASCII
        }
    }

    private static void WriteBinary(ref Utf8JsonReader reader, BsonWriter writer, AttributeType type)
    {
        if (reader.TokenType != JsonTokenType.String) throw WrongToken(ref reader, type, "a base64 string");
        using var text = Utf8Value.Of(ref reader);
        var maxLength = Base64.GetMaxDecodedFromUtf8Length(text.Span.Length);
        byte[]? rented = null;
        Span<byte> buffer = maxLength <= StackBinaryLimit ? stackalloc byte[StackBinaryLimit] : (rented = ArrayPool<byte>.Shared.Rent(maxLength));
        try
        {
            var status = Base64.DecodeFromUtf8(text.Span, buffer, out var consumed, out var written);
            if (status != OperationStatus.Done || consumed != text.Span.Length)
                throw new ConversionFault($"the {AttributeTypes.Name(type)} value is not valid base64", reader.TokenStartIndex);
            writer.WriteBinary(buffer[..written], 0);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static bool ReadBoolean(ref Utf8JsonReader reader, AttributeType type) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw WrongToken(ref reader, type, "true or false"),
    };

    private static ConversionFault WrongToken(ref Utf8JsonReader reader, AttributeType type, string expected) =>
        new($"the {AttributeTypes.Name(type)} value must be {expected}, found {Found(ref reader)}", reader.TokenStartIndex);

    private static ConversionFault NotANumber(ReadOnlySpan<byte> text, long offset) =>
        new($"the N value \"{Utf8Value.Printable(text)}\" is not a number", offset);
}
