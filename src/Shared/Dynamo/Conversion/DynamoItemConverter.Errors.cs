using System.Text.Json;

namespace Replication.Dynamo.Conversion;

// Failure reporting: the hot path only records where it failed; the item key and attribute path are worked out here.
public sealed partial class DynamoItemConverter
{
    private static bool IsConversionFailure(Exception ex) =>
        // InvalidOperationException: the reader refusing to unescape invalid UTF-16 (a lone surrogate escape), or
        // the BSON writer refusing the nesting depth.
        ex is ConversionFault or JsonException or InvalidOperationException;

    private ItemConversionException Describe(Exception failure, Utf8JsonReader start, ref Utf8JsonReader reader)
    {
        var itemKey = DynamoKeyText.TryDescribe(start, _key);
        return failure switch
        {
            ConversionFault fault => new ItemConversionException(fault.Message, itemKey, fault.AttributePath ?? AttributePath.Locate(start, fault.TokenOffset), failure),
            // The replay breaks at the same byte as the conversion did, wherever that was (the key scan-ahead included).
            JsonException json => new ItemConversionException($"malformed JSON: {json.Message}", itemKey, AttributePath.Locate(start, long.MaxValue), failure),
            _ => new ItemConversionException(failure.Message, itemKey, AttributePath.Locate(start, reader.TokenStartIndex), failure),
        };
    }
}
