using System.Buffers.Binary;

namespace Replication.Testing.InMemoryMongo.Wire;

/// <summary>The 16-byte header in front of every wire message; <see cref="MessageLength"/> counts the header too.</summary>
public readonly record struct MessageHeader(int MessageLength, int RequestId, int ResponseTo, WireOpCode OpCode)
{
    public const int Size = 16;

    public static MessageHeader Read(ReadOnlySpan<byte> bytes) => new(
        BinaryPrimitives.ReadInt32LittleEndian(bytes),
        BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]),
        BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]),
        (WireOpCode)BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]));

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, MessageLength);
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], RequestId);
        BinaryPrimitives.WriteInt32LittleEndian(destination[8..], ResponseTo);
        BinaryPrimitives.WriteInt32LittleEndian(destination[12..], (int)OpCode);
    }
}
