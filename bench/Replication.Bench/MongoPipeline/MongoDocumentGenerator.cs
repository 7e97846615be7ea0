using System.Buffers.Binary;
using MongoDB.Bson;

namespace Replication.Bench.MongoPipeline;

/// <summary>
/// Source documents of every BSON type worth having (nested documents, arrays, dates, decimals, binary, ObjectId,
/// 32/64-bit integers, doubles, booleans, null, regex, timestamps). Document i has a deterministic ObjectId <c>_id</c>
/// that carries i, so the backlog can update and delete known documents and arrivals can be told apart.
/// </summary>
public sealed class MongoDocumentGenerator(int payloadBytes)
{
    private readonly string _payload = new('x', payloadBytes);

    public static ObjectId IdOf(int index)
    {
        Span<byte> bytes = stackalloc byte[12];
        bytes.Clear();
        bytes[0] = 0x65; // a plausible timestamp's first byte; the rest is the index
        BinaryPrimitives.WriteInt32BigEndian(bytes[8..], index);
        return new ObjectId(bytes.ToArray());
    }

    /// <summary>The key <see cref="Pipeline.TargetArrivals"/> stamps a document with: its ObjectId in hex.</summary>
    public static string KeyOf(int index) => IdOf(index).ToString();

    public BsonDocument Document(int index) => new()
    {
        { "_id", IdOf(index) },
        { "n", index },
        { "long", (long)index * 1_000_003 },
        { "price", new Decimal128(index / 100m + 0.01m) },
        { "ratio", index / 7.0 },
        { "active", index % 2 == 0 },
        { "createdAt", new BsonDateTime(DateTime.UnixEpoch.AddSeconds(1_700_000_000L + index)) },
        { "name", $"document {index}" },
        { "tags", new BsonArray { "t" + index % 10, "t" + index % 7, index % 3 } },
        { "owner", new BsonDocument { { "id", ObjectId.Parse("5f0000000000000000000000") }, { "level", index % 5 },
                                      { "address", new BsonDocument { { "city", "c" + index % 100 }, { "zip", index % 99_999 } } } } },
        { "items", new BsonArray { new BsonDocument { { "sku", index }, { "qty", 1 } }, new BsonDocument { { "sku", index + 1 }, { "qty", 2.5 } } } },
        { "blob", new BsonBinaryData(BitConverter.GetBytes(index)) },
        { "uuid", new BsonBinaryData(new Guid(index, 0, 0, new byte[8]), GuidRepresentation.Standard) },
        { "pattern", new BsonRegularExpression("^d" + index % 10, "i") },
        { "stamp", new BsonTimestamp(1_700_000_000, index) },
        { "missing", BsonNull.Value },
        { "payload", _payload },
    };
}
