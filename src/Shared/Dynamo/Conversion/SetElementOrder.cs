using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;

namespace Replication.Dynamo.Conversion;

/// <summary>
/// The order set elements are written in: each element gets a byte key whose unsigned lexicographic order is the
/// order of the values — strings by code point (their UTF-8 bytes), binaries by unsigned bytes, numbers by exact
/// numeric value over DynamoDB's whole range (38 digits, exponents far beyond a double's).
/// </summary>
internal static class SetElementOrder
{
    /// <summary><paramref name="text"/> is the element's JSON string, unescaped (base64 for BS, the number for NS).</summary>
    public static byte[] Key(AttributeType type, byte[] text) => type switch
    {
        AttributeType.NS => NumberKey(text),
        AttributeType.BS => BinaryKey(text),
        _ => text,
    };

    private static byte[] BinaryKey(byte[] base64)
    {
        var bytes = new byte[Base64.GetMaxDecodedFromUtf8Length(base64.Length)];
        // Invalid base64 fails the item when the element is written; its key does not matter.
        return Base64.DecodeFromUtf8(base64, bytes, out _, out var written) == OperationStatus.Done ? bytes[..written] : base64;
    }

    private const byte Negative = 1, Zero = 2, Positive = 3, NotANumber = 4;

    // [class][exponent of the first significant digit, 8 bytes][significant digits]: for a negative number the
    // exponent and digits are inverted and a 0xFF ends them, so a longer magnitude with the same start sorts lower.
    private static byte[] NumberKey(byte[] text)
    {
        // A raw-mode number is not checked; an unreadable one sorts after every number, by its text.
        if (!DynamoNumber.TryGetDigits(text, out var negative, out var digits, out var exponent))
            return [NotANumber, .. text];
        if (digits.Length == 0) return [Zero];
        var key = new byte[1 + 8 + digits.Length + (negative ? 1 : 0)];
        key[0] = negative ? Negative : Positive;
        var biased = (ulong)exponent ^ (1UL << 63); // two's complement → unsigned order
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(1), negative ? ~biased : biased);
        for (var i = 0; i < digits.Length; i++) key[9 + i] = negative ? (byte)~digits[i] : digits[i];
        if (negative) key[^1] = 0xFF;
        return key;
    }
}
