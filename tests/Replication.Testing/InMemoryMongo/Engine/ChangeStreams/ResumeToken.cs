using System.Buffers.Binary;
using MongoDB.Bson;
using Replication.Testing.InMemoryMongo.Engine.Errors;

namespace Replication.Testing.InMemoryMongo.Engine.ChangeStreams;

/// <summary>
/// A change stream position, presented as MongoDB does: <c>{_data: "&lt;hex string&gt;"}</c>, opaque to clients.
/// The hex is fixed-width big-endian (cluster time, log position, invalidate flag), so tokens sort in stream order
/// as strings, like MongoDB's KeyString-based tokens. An invalidate event's token can only be used with startAfter.
/// </summary>
public readonly record struct ResumeToken(BsonTimestamp ClusterTime, long Position, bool IsInvalidate = false)
{
    private const string Prefix = "82";
    private const int Bytes = 17;

    public BsonDocument ToDocument()
    {
        Span<byte> bytes = stackalloc byte[Bytes];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, (ulong)ClusterTime.Value);
        BinaryPrimitives.WriteInt64BigEndian(bytes[8..], Position);
        bytes[16] = IsInvalidate ? (byte)1 : (byte)0;
        return new BsonDocument { { "_data", Prefix + Convert.ToHexString(bytes) } };
    }

    public static ResumeToken Parse(BsonValue token)
    {
        if (token is BsonDocument d && d.TryGetValue("_data", out var data) && data is BsonString s
            && s.Value.Length == Prefix.Length + 2 * Bytes && s.Value.StartsWith(Prefix, StringComparison.Ordinal))
        {
            try
            {
                var bytes = Convert.FromHexString(s.Value.AsSpan(Prefix.Length));
                var ts = BinaryPrimitives.ReadUInt64BigEndian(bytes);
                return new ResumeToken(new BsonTimestamp((long)ts), BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(8)), bytes[16] == 1);
            }
            catch (FormatException)
            {
            }
        }
        throw new MongoCommandException(MongoErrorCode.InvalidResumeToken,
            $"Invalid resume token {(token is BsonDocument doc ? Errors.ShellFormat.Of(doc) : token.BsonType.ToString())}: expected a token issued by this server, {{_data: <hex string>}}");
    }
}
