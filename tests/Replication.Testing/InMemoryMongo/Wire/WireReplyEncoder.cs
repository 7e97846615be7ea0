using System.Buffers.Binary;

namespace Replication.Testing.InMemoryMongo.Wire;

/// <summary>Frames a reply document as OP_MSG (for OP_MSG requests) or OP_REPLY (for the legacy OP_QUERY handshake).</summary>
public static class WireReplyEncoder
{
    public static byte[] Encode(WireRequest request, int requestId, ReadOnlySpan<byte> reply, OpMsgFlags flags = OpMsgFlags.None) =>
        request.IsLegacyQuery ? EncodeOpReply(request.Header.RequestId, requestId, reply) : EncodeOpMsg(request.Header.RequestId, requestId, reply, flags);

    public static byte[] EncodeOpMsg(int responseTo, int requestId, ReadOnlySpan<byte> reply, OpMsgFlags flags = OpMsgFlags.None)
    {
        var length = MessageHeader.Size + 4 + 1 + reply.Length;
        var message = new byte[length];
        new MessageHeader(length, requestId, responseTo, WireOpCode.Msg).Write(message);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(16), (uint)flags);
        message[20] = 0; // section kind 0: the body
        reply.CopyTo(message.AsSpan(21));
        return message;
    }

    private static byte[] EncodeOpReply(int responseTo, int requestId, ReadOnlySpan<byte> reply)
    {
        var length = MessageHeader.Size + 4 + 8 + 4 + 4 + reply.Length;
        var message = new byte[length];
        new MessageHeader(length, requestId, responseTo, WireOpCode.Reply).Write(message);
        var span = message.AsSpan(16);
        BinaryPrimitives.WriteInt32LittleEndian(span, 8); // AwaitCapable, as servers always set it
        BinaryPrimitives.WriteInt64LittleEndian(span[4..], 0); // cursorID
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], 0); // startingFrom
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], 1); // numberReturned
        reply.CopyTo(span[20..]);
        return message;
    }
}
