using System.Buffers.Binary;
using System.Text.Unicode;

namespace Replication.Bson;

/// <summary>
/// Deep, allocation-free validation of a BSON document before it is trusted: every length agrees with its container,
/// every terminator is where it must be, strings, names and regular expressions are valid UTF-8, booleans are 0 or 1,
/// and the old binary subtype and code-with-scope carry consistent inner lengths. Degenerate but readable forms (array
/// keys out of sequence, unsorted regex options) are accepted, as the BSON corpus requires.
/// </summary>
public static class BsonValidator
{
    /// <summary>Deeper nesting than any legal MongoDB document (100 levels) but far from exhausting the stack.</summary>
    public const int MaxDepth = 512;

    /// <summary>Throws <see cref="BsonFormatException"/> naming the first problem and its byte offset.</summary>
    public static void Validate(ReadOnlySpan<byte> document)
    {
        if (!TryValidate(document, out var error)) throw error;
    }

    public static bool TryValidate(ReadOnlySpan<byte> document) => TryValidate(document, out _);

    public static bool TryValidate(ReadOnlySpan<byte> document, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out BsonFormatException? error)
    {
        var failure = default(Failure);
        if (document.Length < 4)
            failure = new Failure("a BSON document needs at least 5 bytes", 0);
        else
        {
            var declared = BinaryPrimitives.ReadInt32LittleEndian(document);
            if (declared != document.Length)
                failure = new Failure($"the document declares {declared} bytes but {document.Length} were given", 0);
            else
                ValidateDocument(document, 0, document.Length, 0, ref failure);
        }
        error = failure.Message is null ? null : new BsonFormatException(failure.Message, failure.Offset);
        return error is null;
    }

    private struct Failure(string message, int offset)
    {
        public string? Message = message;
        public int Offset = offset;
    }

    private static bool Fail(ref Failure failure, string message, int offset)
    {
        failure = new Failure(message, offset);
        return false;
    }

    // Validates the document occupying exactly bytes[start .. start + length).
    private static bool ValidateDocument(ReadOnlySpan<byte> bytes, int start, int length, int depth, ref Failure failure)
    {
        if (depth > MaxDepth) return Fail(ref failure, $"documents nested deeper than {MaxDepth} levels", start);
        if (length < 5) return Fail(ref failure, $"document length {length} is below the minimum of 5", start);
        if (BinaryPrimitives.ReadInt32LittleEndian(bytes[start..]) != length)
            return Fail(ref failure, $"document length {BinaryPrimitives.ReadInt32LittleEndian(bytes[start..])} does not match the {length} bytes it occupies", start);
        var end = start + length - 1; // the terminator
        if (bytes[end] != 0) return Fail(ref failure, "the document is not terminated by a NUL byte", end);

        var pos = start + 4;
        while (pos < end)
        {
            var typeOffset = pos;
            var type = (BsonType)bytes[pos++];
            if (type == BsonType.EndOfDocument) return Fail(ref failure, "a NUL byte before the end of the document", typeOffset);

            if (!ReadCString(bytes, ref pos, end, "an element name", ref failure)) return false;
            if (!ValidateValue(bytes, type, typeOffset, ref pos, end, depth, ref failure)) return false;
        }
        return true;
    }

    // Validates one value starting at pos and ending no later than end (exclusive); advances pos past it.
    private static bool ValidateValue(ReadOnlySpan<byte> bytes, BsonType type, int typeOffset, ref int pos, int end, int depth, ref Failure failure)
    {
        var remaining = end - pos;
        switch (type)
        {
            case BsonType.Double:
            case BsonType.DateTime:
            case BsonType.Int64:
            case BsonType.Timestamp:
                return Fixed(8, type, ref pos, remaining, ref failure);
            case BsonType.Int32:
                return Fixed(4, type, ref pos, remaining, ref failure);
            case BsonType.ObjectId:
                return Fixed(12, type, ref pos, remaining, ref failure);
            case BsonType.Decimal128:
                return Fixed(16, type, ref pos, remaining, ref failure);
            case BsonType.Null:
            case BsonType.Undefined:
            case BsonType.MinKey:
            case BsonType.MaxKey:
                return true;
            case BsonType.Boolean:
                if (remaining < 1) return Fail(ref failure, "a boolean value is cut off", pos);
                if (bytes[pos] > 1) return Fail(ref failure, $"a boolean must be 0 or 1, not {bytes[pos]}", pos);
                pos++;
                return true;
            case BsonType.String:
            case BsonType.Symbol:
            case BsonType.JavaScript:
                return ReadString(bytes, ref pos, end, type, ref failure);
            case BsonType.Document:
            case BsonType.Array:
            {
                if (remaining < 4) return Fail(ref failure, $"the length of a {type} is cut off", pos);
                var length = BinaryPrimitives.ReadInt32LittleEndian(bytes[pos..]);
                if (length < 5 || length > remaining)
                    return Fail(ref failure, $"a {type} of {length} bytes does not fit in the {remaining} bytes left in its parent", pos);
                if (!ValidateDocument(bytes, pos, length, depth + 1, ref failure)) return false;
                pos += length;
                return true;
            }
            case BsonType.Binary:
            {
                if (remaining < 5) return Fail(ref failure, "a binary header is cut off", pos);
                var length = BinaryPrimitives.ReadInt32LittleEndian(bytes[pos..]);
                if (length < 0 || length > remaining - 5)
                    return Fail(ref failure, $"binary length {length} does not fit in the {remaining - 5} bytes left", pos);
                var subtype = bytes[pos + 4];
                if (subtype == 0x02)
                {
                    // The old binary subtype repeats the payload length inside the payload.
                    if (length < 4) return Fail(ref failure, $"old binary (subtype 2) of {length} bytes has no room for its inner length", pos);
                    var inner = BinaryPrimitives.ReadInt32LittleEndian(bytes[(pos + 5)..]);
                    if (inner != length - 4)
                        return Fail(ref failure, $"old binary (subtype 2) inner length {inner} should be {length - 4}", pos + 5);
                }
                pos += 5 + length;
                return true;
            }
            case BsonType.RegularExpression:
                return ReadCString(bytes, ref pos, end, "a regular expression pattern", ref failure)
                    && ReadCString(bytes, ref pos, end, "regular expression options", ref failure);
            case BsonType.DbPointer:
                if (!ReadString(bytes, ref pos, end, type, ref failure)) return false;
                return Fixed(12, type, ref pos, end - pos, ref failure);
            case BsonType.JavaScriptWithScope:
            {
                var start = pos;
                if (remaining < 4) return Fail(ref failure, "the length of a code-with-scope value is cut off", pos);
                var total = BinaryPrimitives.ReadInt32LittleEndian(bytes[pos..]);
                // int32 total + (int32 length + at least the NUL) + a minimal 5-byte scope document.
                if (total < 14 || total > remaining)
                    return Fail(ref failure, $"code-with-scope length {total} is outside 14..{remaining}", pos);
                var valueEnd = start + total;
                pos += 4;
                if (!ReadString(bytes, ref pos, valueEnd, BsonType.JavaScript, ref failure)) return false;
                var scopeLength = valueEnd - pos;
                if (scopeLength < 5 || BinaryPrimitives.ReadInt32LittleEndian(bytes[pos..]) != scopeLength)
                    return Fail(ref failure, "the code-with-scope scope document does not fill the rest of the value", pos);
                if (!ValidateDocument(bytes, pos, scopeLength, depth + 1, ref failure)) return false;
                pos = valueEnd;
                return true;
            }
            default:
                return Fail(ref failure, $"unknown element type 0x{(byte)type:x2}", typeOffset);
        }
    }

    private static bool Fixed(int size, BsonType type, ref int pos, int remaining, ref Failure failure)
    {
        if (remaining < size) return Fail(ref failure, $"a {type} value needs {size} bytes but only {remaining} remain", pos);
        pos += size;
        return true;
    }

    // An int32 length (counting the NUL), UTF-8 bytes that may contain NULs, then a NUL; all before end.
    private static bool ReadString(ReadOnlySpan<byte> bytes, ref int pos, int end, BsonType type, ref Failure failure)
    {
        if (end - pos < 4) return Fail(ref failure, $"the length of a {type} string is cut off", pos);
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes[pos..]);
        if (length < 1 || length > end - pos - 4)
            return Fail(ref failure, $"{type} string length {length} is outside 1..{end - pos - 4}", pos);
        var body = bytes.Slice(pos + 4, length - 1);
        if (bytes[pos + 4 + length - 1] != 0) return Fail(ref failure, $"a {type} string is not terminated by a NUL byte", pos + 4 + length - 1);
        if (!Utf8.IsValid(body)) return Fail(ref failure, $"a {type} string is not valid UTF-8", pos + 4);
        pos += 4 + length;
        return true;
    }

    // A NUL-terminated UTF-8 string that must end before end.
    private static bool ReadCString(ReadOnlySpan<byte> bytes, ref int pos, int end, string what, ref Failure failure)
    {
        var nul = bytes[pos..end].IndexOf((byte)0);
        if (nul < 0) return Fail(ref failure, $"{what} is not terminated inside its document", pos);
        if (!Utf8.IsValid(bytes.Slice(pos, nul))) return Fail(ref failure, $"{what} is not valid UTF-8", pos);
        pos += nul + 1;
        return true;
    }
}
