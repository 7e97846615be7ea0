using System.Text;
using System.Text.Json;
using MongoDB.Bson;
using Replication.Testing;
using BsonWriter = Replication.Bson.BsonWriter;
using Replication.Dynamo.Conversion;

namespace Replication.Tests.Dynamo;

/// <summary>Runs the converter over canned DynamoDB JSON and reads the BSON back into the value model.</summary>
internal static class ConversionHarness
{
    public static readonly TableKeySchema HashOnly = new("id", null);
    public static readonly TableKeySchema Composite = new("pk", "sk");

    public static BsonDocument Convert(string itemJson, ConvertMode mode = ConvertMode.Typed, IdentityMode identity = IdentityMode.Fields, TableKeySchema? key = null) =>
        Convert(itemJson, new DynamoItemConverter(mode, identity, key ?? HashOnly));

    public static BsonDocument Convert(string itemJson, DynamoItemConverter converter) =>
        BsonBytes.ToDocument(ConvertToBytes(itemJson, converter));

    public static byte[] ConvertToBytes(string itemJson, DynamoItemConverter converter)
    {
        var json = Encoding.UTF8.GetBytes(itemJson);
        var reader = new Utf8JsonReader(json, DynamoItemConverter.ReaderOptions);
        Assert.True(reader.Read());
        using var writer = new BsonWriter();
        converter.WriteDocument(ref reader, writer);
        AssertOnClosingBrace(ref reader, json);
        return writer.ToArray();
    }

    public static BsonDocument Filter(string keysJson, DynamoItemConverter converter)
    {
        var json = Encoding.UTF8.GetBytes(keysJson);
        var reader = new Utf8JsonReader(json, DynamoItemConverter.ReaderOptions);
        Assert.True(reader.Read());
        using var writer = new BsonWriter();
        converter.WriteKeyFilter(ref reader, writer);
        AssertOnClosingBrace(ref reader, json);
        return BsonBytes.ToDocument(writer.WrittenSpan);
    }

    /// <summary>The typed value of one N attribute.</summary>
    public static BsonValue Number(string text, ConvertMode mode = ConvertMode.Typed) =>
        Convert("""{"id":{"S":"k"},"n":{"N":""" + JsonSerializer.Serialize(text) + "}}", mode)["n"]!;

    public static ItemConversionException Failure(string itemJson, ConvertMode mode = ConvertMode.Typed, IdentityMode identity = IdentityMode.Fields, TableKeySchema? key = null)
    {
        var converter = new DynamoItemConverter(mode, identity, key ?? HashOnly);
        return Assert.Throws<ItemConversionException>(() => ConvertToBytes(itemJson, converter));
    }

    private static void AssertOnClosingBrace(ref Utf8JsonReader reader, byte[] json)
    {
        Assert.Equal(JsonTokenType.EndObject, reader.TokenType);
        Assert.Equal(json.AsSpan().TrimEnd((byte)' ').Length, reader.BytesConsumed);
    }
}
