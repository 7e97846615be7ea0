using System.Buffers.Binary;
using System.Text;
using MongoDB.Bson;

namespace Replication.Testing.InMemoryMongo.Wire;

/// <summary>Decodes one message body (the bytes after the header) into a <see cref="WireRequest"/>.</summary>
public static class WireRequestDecoder
{
    private const int SectionBody = 0;
    private const int SectionDocumentSequence = 1;

    /// <remarks>Documents are decoded straight from <paramref name="body"/>'s array, without copying.</remarks>
    public static WireRequest Decode(MessageHeader header, ArraySegment<byte> body) => header.OpCode switch
    {
        WireOpCode.Msg => DecodeMsg(header, body),
        WireOpCode.Query => DecodeQuery(header, body),
        _ => throw new WireProtocolException($"opcode {(int)header.OpCode} is not supported by the in-memory server"),
    };

    private static WireRequest DecodeMsg(MessageHeader header, ArraySegment<byte> body)
    {
        var flags = (OpMsgFlags)BinaryPrimitives.ReadUInt32LittleEndian(body);
        var unknownRequired = (uint)flags & 0xFFFF & ~(uint)(OpMsgFlags.ChecksumPresent | OpMsgFlags.MoreToCome);
        if (unknownRequired != 0)
            throw new WireProtocolException($"OP_MSG has unknown required flag bits 0x{unknownRequired:x}");
        ReadOnlySpan<byte> sections = body.AsSpan(4);
        if (flags.HasFlag(OpMsgFlags.ChecksumPresent)) sections = sections[..^4];

        BsonDocument? command = null;
        Dictionary<string, IReadOnlyList<BsonDocument>>? sequences = null;
        while (!sections.IsEmpty)
        {
            var kind = sections[0];
            sections = sections[1..];
            switch (kind)
            {
                case SectionBody:
                    if (command is not null) throw new WireProtocolException("OP_MSG has more than one body section");
                    var length = DocumentLength(sections);
                    command = ReadDocument(body, sections, length);
                    sections = sections[length..];
                    break;
                case SectionDocumentSequence:
                    var size = BinaryPrimitives.ReadInt32LittleEndian(sections);
                    if (size < 5 || size > sections.Length) throw new WireProtocolException($"OP_MSG document sequence size {size} is invalid");
                    var sequence = sections[4..size];
                    var nameEnd = sequence.IndexOf((byte)0);
                    if (nameEnd < 0) throw new WireProtocolException("OP_MSG document sequence identifier is not terminated");
                    var identifier = Encoding.UTF8.GetString(sequence[..nameEnd]);
                    var documents = new List<BsonDocument>();
                    for (var rest = sequence[(nameEnd + 1)..]; !rest.IsEmpty;)
                    {
                        var documentLength = DocumentLength(rest);
                        documents.Add(ReadDocument(body, rest, documentLength));
                        rest = rest[documentLength..];
                    }
                    sequences ??= new Dictionary<string, IReadOnlyList<BsonDocument>>();
                    if (!sequences.TryAdd(identifier, documents))
                        throw new WireProtocolException($"OP_MSG repeats the document sequence '{identifier}'");
                    sections = sections[size..];
                    break;
                default:
                    throw new WireProtocolException($"OP_MSG section kind {kind} is unknown");
            }
        }
        return new WireRequest(header, command ?? throw new WireProtocolException("OP_MSG has no body section"), sequences, flags);
    }

    /// <summary>The legacy handshake: OP_QUERY on <c>db.$cmd</c>, the command possibly wrapped in <c>$query</c>.</summary>
    private static WireRequest DecodeQuery(MessageHeader header, ArraySegment<byte> body)
    {
        ReadOnlySpan<byte> rest = body.AsSpan(4); // flags: tailable, slaveOk… mean nothing for a command
        var nameEnd = rest.IndexOf((byte)0);
        if (nameEnd < 0) throw new WireProtocolException("OP_QUERY collection name is not terminated");
        var fullName = Encoding.UTF8.GetString(rest[..nameEnd]);
        rest = rest[(nameEnd + 1 + 8)..]; // numberToSkip, numberToReturn
        if (!fullName.EndsWith(".$cmd", StringComparison.Ordinal))
            throw new WireProtocolException($"OP_QUERY on '{fullName}' is not supported: only commands on <db>.$cmd (use OP_MSG)");
        var database = fullName[..^".$cmd".Length];
        var query = ReadDocument(body, rest, DocumentLength(rest));
        var command = query.ElementCount > 0 && query.GetElement(0).Name is "$query" or "query" && query.GetElement(0).Value is BsonDocument inner
            ? new BsonDocument(inner.Elements)
            : query;
        command.Remove("$db");
        command.Add("$db", database);
        return new WireRequest(header, command, null, OpMsgFlags.None);
    }

    /// <summary>The document of <paramref name="length"/> bytes at the start of <paramref name="rest"/>, a tail of <paramref name="body"/>.</summary>
    private static BsonDocument ReadDocument(ArraySegment<byte> body, ReadOnlySpan<byte> rest, int length)
    {
        ((ReadOnlySpan<byte>)body.AsSpan()).Overlaps(rest, out var offset);
        return BsonModel.ReadDocument(body.Slice(offset, length));
    }

    private static int DocumentLength(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 5) throw new WireProtocolException("truncated BSON document in message");
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        if (length < 5 || length > bytes.Length) throw new WireProtocolException($"BSON document length {length} overruns the message");
        return length;
    }
}

public sealed class WireProtocolException(string message) : Exception(message);
