using System.Text;
using System.Text.Json;
using Replication.Bson;

namespace Replication.Dynamo.Conversion;

/// <summary>
/// Converts DynamoDB items from their JSON wire format (Scan pages, stream images and keys) straight into BSON, in one
/// streaming pass from a <see cref="Utf8JsonReader"/> to a <see cref="BsonWriter"/> with no object graph between.
/// Stateless after construction, so one instance serves any number of threads.
/// </summary>
public sealed partial class DynamoItemConverter
{
    // DynamoDB allows 32 levels of nested M/L; each level is two JSON levels ({"M": {name: {...}}}), above the
    // Utf8JsonReader default of 64.
    private const int JsonDepthForDynamo = 160;

    private readonly ConvertMode _mode;
    private readonly IdentityMode _identity;
    private readonly TableKeySchema _key;
    private readonly byte[] _hashName;
    private readonly byte[]? _rangeName;

    public DynamoItemConverter(ConvertMode mode, IdentityMode identity, TableKeySchema key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (string.IsNullOrEmpty(key.HashKey)) throw new ArgumentException("the table's hash key name is empty", nameof(key));
        if (key.RangeKey is "") throw new ArgumentException("the table's range key name is empty (use null for a hash-only key)", nameof(key));
        if (key.RangeKey == key.HashKey) throw new ArgumentException($"the table's hash and range keys are both named '{key.HashKey}'", nameof(key));
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown convert mode");
        if (!Enum.IsDefined(identity)) throw new ArgumentOutOfRangeException(nameof(identity), identity, "unknown identity mode");
        _mode = mode;
        _identity = identity;
        _key = key;
        _hashName = Encoding.UTF8.GetBytes(key.HashKey);
        _rangeName = key.RangeKey is null ? null : Encoding.UTF8.GetBytes(key.RangeKey);
    }

    /// <summary>Reader options deep enough for DynamoDB's 32 levels of nesting; use them for the readers handed in.</summary>
    public static JsonReaderOptions ReaderOptions => new() { MaxDepth = JsonDepthForDynamo };

    public ConvertMode Mode => _mode;
    public IdentityMode Identity => _identity;
    public TableKeySchema Key => _key;

    /// <summary>
    /// Writes the item the reader is on (its StartObject; the whole item must be in the reader's buffer) as one
    /// BSON document — top-level, or as the value of a pending name — with <c>_id</c> first in <see cref="IdentityMode.Id"/>.
    /// On return the reader is on the item's EndObject. On failure an empty writer is left empty again; a writer that
    /// already held other documents keeps the partial one, so a caller that wants to skip a bad item and carry on
    /// converts into a writer of its own per item (or re-converts the page without it).
    /// </summary>
    public void WriteDocument(ref Utf8JsonReader reader, BsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var start = reader;
        var writerWasEmpty = writer.Depth == 0 && writer.Length == 0;
        try
        {
            WriteItem(ref reader, writer);
        }
        catch (Exception ex) when (IsConversionFailure(ex))
        {
            if (writerWasEmpty) writer.Reset();
            throw Describe(ex, start, ref reader);
        }
    }

    /// <summary>
    /// Writes the filter that finds the item whose Keys map the reader is on: <c>{_id: …}</c> (the same value
    /// <see cref="WriteDocument"/> puts in <c>_id</c>), or the key attributes in <see cref="IdentityMode.Fields"/>.
    /// On return the reader is on the map's EndObject.
    /// </summary>
    public void WriteKeyFilter(ref Utf8JsonReader reader, BsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var start = reader;
        var writerWasEmpty = writer.Depth == 0 && writer.Length == 0;
        try
        {
            WriteFilter(ref reader, writer);
        }
        catch (Exception ex) when (IsConversionFailure(ex))
        {
            if (writerWasEmpty) writer.Reset();
            throw Describe(ex, start, ref reader);
        }
    }

    private void WriteItem(ref Utf8JsonReader reader, BsonWriter writer)
    {
        ExpectStartObject(ref reader, "an item must be a JSON object of attributes");
        writer.WriteStartDocument();
        if (_identity == IdentityMode.Id)
        {
            var scan = reader;
            LocateKeys(ref scan, stopWhenFound: true, out var hash, out var range);
            writer.WriteName("_id"u8);
            WriteIdValue(ref hash, ref range, writer);
        }

        var seenHash = false;
        var seenRange = false;
        while (true)
        {
            Read(ref reader);
            if (reader.TokenType == JsonTokenType.EndObject) break;
            var isHash = reader.ValueTextEquals(_hashName);
            var isRange = !isHash && _rangeName is not null && reader.ValueTextEquals(_rangeName);
            if (_identity == IdentityMode.Id && reader.ValueTextEquals("_id"u8))
            {
                if (!isHash || _rangeName is not null)
                    throw new ConversionFault("an attribute named _id collides with the _id made from the table key (convert.key = fields would keep it)", reader.TokenStartIndex);
                // A hash key named _id is the _id itself, already written first; a second _id field would shadow it.
                seenHash = true;
                Read(ref reader);
                Skip(ref reader);
                continue;
            }
            WriteAttributeName(ref reader, writer);
            Read(ref reader);
            if (isHash || isRange)
            {
                seenHash |= isHash;
                seenRange |= isRange;
                WriteKeyAttributeValue(ref reader, writer, raw: _mode == ConvertMode.Raw);
            }
            else
            {
                WriteValue(ref reader, writer, _mode);
            }
        }
        if (_identity == IdentityMode.Fields)
        {
            if (!seenHash) throw MissingKey(_key.HashKey, reader.TokenStartIndex);
            if (_rangeName is not null && !seenRange) throw MissingKey(_key.RangeKey!, reader.TokenStartIndex);
        }
        writer.WriteEndDocument();
    }

    private void WriteFilter(ref Utf8JsonReader reader, BsonWriter writer)
    {
        ExpectStartObject(ref reader, "a key must be a JSON object of attributes");
        LocateKeys(ref reader, stopWhenFound: false, out var hash, out var range);
        writer.WriteStartDocument();
        if (_identity == IdentityMode.Id)
        {
            writer.WriteName("_id"u8);
            WriteIdValue(ref hash, ref range, writer);
        }
        else
        {
            // The filter must match the stored fields, which Raw mode keeps in their {S: …} shape.
            var raw = _mode == ConvertMode.Raw;
            writer.WriteName(_hashName);
            WriteKeyAttributeValue(ref hash, writer, raw);
            if (_rangeName is not null)
            {
                writer.WriteName(_rangeName);
                WriteKeyAttributeValue(ref range, writer, raw);
            }
        }
        writer.WriteEndDocument();
    }

    private static void ExpectStartObject(ref Utf8JsonReader reader, string problem)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new ConversionFault($"{problem}, found {Found(ref reader)}", reader.TokenStartIndex);
    }

    private static void Read(ref Utf8JsonReader reader)
    {
        if (!reader.Read()) throw Truncated(ref reader);
    }

    // TrySkip rather than Skip: Skip throws on a reader over partial data even when the value is complete.
    private static void Skip(ref Utf8JsonReader reader)
    {
        if (!reader.TrySkip()) throw Truncated(ref reader);
    }

    private static ConversionFault Truncated(ref Utf8JsonReader reader) =>
        new("the JSON ends inside the item (the whole item must be in the reader's buffer)", reader.BytesConsumed);

    private static string Found(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.None => "nothing",
        JsonTokenType.PropertyName => "a property name",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a JSON number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.EndObject => "the end of an object",
        JsonTokenType.EndArray => "the end of an array",
        _ => reader.TokenType.ToString(),
    };
}
