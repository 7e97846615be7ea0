using System.Text.Json;
using Replication.Bson;

namespace Replication.Dynamo.Conversion;

// The table key: finding its attributes ahead of the main pass, and writing _id from them.
public sealed partial class DynamoItemConverter
{
    /// <summary>
    /// Walks the attributes of the object the reader is on and leaves <paramref name="hash"/> and
    /// <paramref name="range"/> as copies of the reader positioned on those attributes' values. The reader is a
    /// struct, so a caller that only needs the positions scans a copy and keeps its own place (the item is read
    /// twice up to the last key attribute instead of being buffered). Throws when a key attribute is missing.
    /// </summary>
    private void LocateKeys(ref Utf8JsonReader reader, bool stopWhenFound, out Utf8JsonReader hash, out Utf8JsonReader range)
    {
        hash = default;
        range = default;
        var itemStart = reader.TokenStartIndex;
        var foundHash = false;
        var foundRange = _rangeName is null;
        while (true)
        {
            Read(ref reader);
            if (reader.TokenType == JsonTokenType.EndObject) break;
            var isHash = !foundHash && reader.ValueTextEquals(_hashName);
            var isRange = !isHash && !foundRange && reader.ValueTextEquals(_rangeName);
            Read(ref reader);
            if (isHash)
            {
                hash = reader;
                foundHash = true;
            }
            else if (isRange)
            {
                range = reader;
                foundRange = true;
            }
            if (stopWhenFound && foundHash && foundRange) return;
            Skip(ref reader);
        }
        if (!foundHash) throw MissingKey(_key.HashKey, itemStart);
        if (!foundRange) throw MissingKey(_key.RangeKey!, itemStart);
    }

    // _id: the hash key's value, or {hash: v, range: v} in schema order whatever the attribute order of the item.
    // It is the plain (typed) value in every convert mode, Raw included, so an item's _id never depends on the mode.
    private void WriteIdValue(ref Utf8JsonReader hash, ref Utf8JsonReader range, BsonWriter writer)
    {
        if (_rangeName is null)
        {
            WriteKeyAttributeValue(ref hash, writer, raw: false);
            return;
        }
        writer.WriteStartDocument();
        writer.WriteName(_hashName);
        WriteKeyAttributeValue(ref hash, writer, raw: false);
        writer.WriteName(_rangeName);
        WriteKeyAttributeValue(ref range, writer, raw: false);
        writer.WriteEndDocument();
    }

    private static ConversionFault MissingKey(string attribute, long offset) =>
        new("the key attribute is missing", offset, attribute);
}
