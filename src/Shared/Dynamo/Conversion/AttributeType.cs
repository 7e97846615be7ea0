using System.Text.Json;

namespace Replication.Dynamo.Conversion;

/// <summary>The type descriptors of a DynamoDB AttributeValue (<c>{"S": …}</c>, <c>{"N": …}</c>, …).</summary>
internal enum AttributeType : byte
{
    S, N, B, Bool, Null, M, L, SS, NS, BS,
}

internal static class AttributeTypes
{
    /// <summary>Recognises the descriptor the reader is on (a property name); throws a fault naming an unknown one.</summary>
    public static AttributeType Recognize(ref Utf8JsonReader reader)
    {
        using var name = Utf8Value.Of(ref reader);
        var s = name.Span;
        switch (s.Length)
        {
            case 1:
                switch (s[0])
                {
                    case (byte)'S': return AttributeType.S;
                    case (byte)'N': return AttributeType.N;
                    case (byte)'B': return AttributeType.B;
                    case (byte)'M': return AttributeType.M;
                    case (byte)'L': return AttributeType.L;
                }
                break;
            case 2:
                if (s[1] == (byte)'S')
                {
                    switch (s[0])
                    {
                        case (byte)'S': return AttributeType.SS;
                        case (byte)'N': return AttributeType.NS;
                        case (byte)'B': return AttributeType.BS;
                    }
                }
                break;
            case 4:
                if (s.SequenceEqual("BOOL"u8)) return AttributeType.Bool;
                if (s.SequenceEqual("NULL"u8)) return AttributeType.Null;
                break;
        }
        throw new ConversionFault($"unknown type descriptor \"{Utf8Value.Printable(s)}\" (expected S, N, B, BOOL, NULL, M, L, SS, NS or BS)", reader.TokenStartIndex);
    }

    public static ReadOnlySpan<byte> Descriptor(AttributeType type) => type switch
    {
        AttributeType.S => "S"u8,
        AttributeType.N => "N"u8,
        AttributeType.B => "B"u8,
        AttributeType.Bool => "BOOL"u8,
        AttributeType.Null => "NULL"u8,
        AttributeType.M => "M"u8,
        AttributeType.L => "L"u8,
        AttributeType.SS => "SS"u8,
        AttributeType.NS => "NS"u8,
        _ => "BS"u8,
    };

    public static string Name(AttributeType type) => type switch
    {
        AttributeType.Bool => "BOOL",
        AttributeType.Null => "NULL",
        _ => type.ToString(),
    };
}
